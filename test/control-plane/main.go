// Command control-plane runs a real, single-node Kubernetes control plane
// (embedded etcd, kube-apiserver, kube-controller-manager) on loopback for the
// redis-kubernetes end-to-end tests. There is no kubelet and no scheduler: the
// TypeScript node agent in test/agent binds pods and runs them as processes.
//
// Subcommands:
//
//	control-plane up [--dir DIR] [--service-cidr CIDR]
//	    Generates a PKI and kubeconfig, starts etcd in-process and the two
//	    components as child processes (re-executing this binary), waits until
//	    they are healthy and prints one JSON line to stdout (see upResult).
//	    Everything stops on SIGTERM/SIGINT or when the parent process dies.
//	control-plane apiserver ARGS...           kube-apiserver, unmodified flags
//	control-plane controller-manager ARGS...  kube-controller-manager, unmodified flags
//	control-plane kubectl ARGS...             kubectl (also when invoked through a symlink named kubectl)
//
// apiserver and controller-manager each live in their own process because
// both install process-global state (signal handlers, metric registries)
// that may only be set up once per process.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format, as upstream main does
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics, as upstream main does
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric, as upstream main does
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "time/tzdata" // CronJob time zones, as upstream main does
)

func main() {
	if filepath.Base(os.Args[0]) == "kubectl" {
		runKubectl()
		return
	}
	if len(os.Args) < 2 {
		usage()
	}
	sub := os.Args[1]
	// Shift the subcommand away so each component sees only its own flags,
	// and name the process like upstream (it shows as the field manager).
	os.Args = append([]string{"kube-" + sub}, os.Args[2:]...)
	switch sub {
	case "up":
		os.Exit(runUp(os.Args[1:]))
	case "apiserver":
		exitWithParent()
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "controller-manager":
		exitWithParent()
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kubectl":
		runKubectl()
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: control-plane up [--dir DIR] [--service-cidr CIDR] | apiserver ARGS... | controller-manager ARGS... | kubectl ARGS...")
	os.Exit(2)
}
