// The shape of Project Planton's RedisKubernetes stack outputs as this project gives them
// (render/outputs.ts computes them): one TypeBox schema is the TypeScript type and, through
// crd.ts, the schema of the resource's status.outputs. Nothing here holds a secret value.
import { Type, type Static } from '@sinclair/typebox';

const Endpoint = (description: string) => Type.String({ description: `${description} (host:port)` });

export const StackOutputsSchema = Type.Object(
  {
    namespace: Type.String(),
    service: Type.String({ description: 'The Service a plain (non-Sentinel, non-cluster-aware) client connects to' }),
    portForwardCommand: Type.String({ description: 'kubectl port-forward from local port 6379 to that Service' }),
    kubeEndpoint: Endpoint('That Service inside the cluster'),
    externalHostname: Type.Optional(Type.String({ description: 'The LoadBalancer DNS name, when ingress is on' })),
    username: Type.String({ description: 'The ACL user clients authenticate as' }),
    passwordSecret: Type.Optional(
      Type.Object(
        { name: Type.String(), key: Type.String() },
        { description: 'Where the password is kept; absent when auth is disabled' },
      ),
    ),
    tls: Type.Boolean({ description: 'Clients must connect with TLS' }),
    sentinel: Type.Optional(
      Type.Object({
        masterName: Type.String({ description: 'The name Sentinel clients ask for' }),
        endpoint: Endpoint("The sentinels' Service"),
        endpoints: Type.Array(Endpoint('One sentinel')),
      }),
    ),
    clusterSeedEndpoints: Type.Optional(Type.Array(Endpoint('One cluster node; any one is a seed'))),
  },
  { description: "Project Planton's RedisKubernetes stack outputs, per mode; never the password itself" },
);

export type StackOutputs = Static<typeof StackOutputsSchema>;
