package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// upResult is the single JSON line `up` prints on stdout once the control
// plane is healthy. test/e2e/cluster.ts parses it.
type upResult struct {
	Kubeconfig  string           `json:"kubeconfig"`
	Server      string           `json:"server"`
	Dir         string           `json:"dir"`
	ServiceCIDR string           `json:"serviceCIDR"`
	TimingsMs   map[string]int64 `json:"timingsMs"`
}

// Controllers the e2e tests rely on. Listed explicitly (rather than "*") so a
// new upstream default cannot silently change behaviour, and to leave out the
// node-lifecycle controller: it would taint and evict from our agent's node
// whenever the agent is paused by a test or the machine is slow.
var controllers = []string{
	"serviceaccount-token-controller", "serviceaccount-controller",
	"root-ca-certificate-publisher-controller", "namespace-controller",
	"garbage-collector-controller", "pod-garbage-collector-controller",
	"statefulset-controller", "deployment-controller", "replicaset-controller",
	"replicationcontroller-controller", "daemonset-controller", "job-controller",
	"cronjob-controller", "ttl-after-finished-controller", "disruption-controller",
	"endpoints-controller", "endpointslice-controller", "endpointslice-mirroring-controller",
	"persistentvolume-binder-controller", "persistentvolumeclaim-protection-controller",
	"persistentvolume-protection-controller", "resourcequota-controller",
	"clusterrole-aggregation-controller", "horizontal-pod-autoscaler-controller",
	"certificatesigningrequest-signing-controller", "certificatesigningrequest-approving-controller",
	"certificatesigningrequest-cleaner-controller", "service-cidr-controller",
}

func runUp(args []string) int {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	dirFlag := fs.String("dir", "", "state directory (default: a new temp dir, removed on exit)")
	removeDir := fs.Bool("remove-dir", false, "remove --dir on exit too (the caller may die without cleaning up)")
	serviceCIDR := fs.String("service-cidr", "127.96.0.0/16",
		"Service ClusterIP range. Inside 127/8 so that a stray connection to a ClusterIP never leaves the machine")
	verbosity := fs.Int("v", 1, "klog verbosity of the components")
	_ = fs.Parse(args)

	logf := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "[control-plane] "+format+"\n", a...)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Our stdout/stderr are pipes to the parent: once it is gone, a log line
	// must fail with EPIPE rather than kill us (Go's default for fds 1 and 2)
	// before the children are stopped and the state dir removed.
	signal.Ignore(syscall.SIGPIPE)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() { <-sigs; cancel() }()
	watchParent(cancel)

	dir := *dirFlag
	if dir == "" {
		d, err := os.MkdirTemp("", "rk-control-plane-")
		if err != nil {
			logf("%v", err)
			return 1
		}
		dir = d
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		logf("%v", err)
		return 1
	} else if *removeDir {
		defer os.RemoveAll(dir)
	}

	res, stop, err := start(ctx, dir, *serviceCIDR, *verbosity, logf)
	defer stop()
	if err != nil {
		logf("start failed: %v", err)
		return 1
	}
	line, _ := json.Marshal(res)
	fmt.Println(string(line))
	<-ctx.Done()
	logf("stopping")
	return 0
}

// start brings the control plane up. The returned stop function is always
// safe to call and tears down whatever was started.
func start(ctx context.Context, dir, serviceCIDR string, v int, logf func(string, ...any)) (*upResult, func(), error) {
	t0 := time.Now()
	timings := map[string]int64{}
	mark := func(name string, since time.Time) { timings[name] = time.Since(since).Milliseconds() }
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		stops = nil
	}

	_, ipnet, err := net.ParseCIDR(serviceCIDR)
	if err != nil {
		return nil, stop, err
	}
	firstServiceIP := append(net.IP(nil), ipnet.IP.To4()...)
	firstServiceIP[3]++

	t := time.Now()
	p, err := generatePKI(dir, firstServiceIP)
	if err != nil {
		return nil, stop, fmt.Errorf("pki: %w", err)
	}
	mark("pki", t)

	ports, err := freePorts(4)
	if err != nil {
		return nil, stop, err
	}
	etcdClient, etcdPeer, apiPort, cmPort := ports[0], ports[1], ports[2], ports[3]

	t = time.Now()
	etcd, err := startEtcd(dir, etcdClient, etcdPeer)
	if err != nil {
		return nil, stop, err
	}
	stops = append(stops, func() { etcd.Close() })
	mark("etcd", t)

	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(kubeconfig, server, p); err != nil {
		return nil, stop, err
	}

	t = time.Now()
	api, err := startChild(dir, "apiserver", []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdClient),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--cert-dir=" + filepath.Join(dir, "apiserver-certs"),
		"--tls-cert-file=" + p.ServingCert,
		"--tls-private-key-file=" + p.ServingKey,
		"--client-ca-file=" + p.CACert,
		// Publishes a complete extension-apiserver-authentication ConfigMap;
		// without it every component logs a missing-CA error each second.
		"--requestheader-client-ca-file=" + p.CACert,
		"--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + p.SAPub,
		"--service-account-signing-key-file=" + p.SAKey,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
		"--profiling=false",
		// Nothing runs a kubelet API; keep the apiserver from trying.
		"--kubelet-preferred-address-types=InternalIP",
		fmt.Sprintf("--v=%d", v),
	})
	if err != nil {
		return nil, stop, err
	}
	stops = append(stops, api.stop)
	tlsCfg, err := adminTLS(p)
	if err != nil {
		return nil, stop, err
	}
	if err := waitHealthy(ctx, api, server+"/readyz", tlsCfg, 180*time.Second); err != nil {
		return nil, stop, err
	}
	mark("apiserver", t)
	logf("apiserver ready at %s in %dms", server, timings["apiserver"])

	t = time.Now()
	cm, err := startChild(dir, "controller-manager", []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", cmPort),
		"--cert-dir=" + filepath.Join(dir, "controller-manager-certs"),
		"--leader-elect=false",
		"--use-service-account-credentials=false",
		"--controllers=" + strings.Join(controllers, ","),
		"--root-ca-file=" + p.CACert,
		"--service-account-private-key-file=" + p.SAKey,
		"--cluster-signing-cert-file=" + p.CACert,
		"--cluster-signing-key-file=" + p.CAKey,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--cluster-name=rk-test",
		// Tests delete and recreate pods constantly; don't throttle controllers.
		"--kube-api-qps=200", "--kube-api-burst=400",
		"--concurrent-statefulset-syncs=10",
		"--profiling=false",
		fmt.Sprintf("--v=%d", v),
	})
	if err != nil {
		return nil, stop, err
	}
	// Stop the controller-manager before the apiserver it talks to.
	stops = append(stops, cm.stop)
	if err := waitHealthy(ctx, cm, fmt.Sprintf("https://127.0.0.1:%d/healthz", cmPort),
		&tls.Config{InsecureSkipVerify: true}, 120*time.Second); err != nil {
		return nil, stop, err
	}
	mark("controllerManager", t)
	mark("total", t0)

	go func() {
		// A component dying is fatal for the whole cluster: exit so that the
		// caller sees it instead of hanging on a half-working control plane.
		select {
		case <-api.done:
			logf("apiserver exited unexpectedly, see %s", api.logPath)
		case <-cm.done:
			logf("controller-manager exited unexpectedly, see %s", cm.logPath)
		case err := <-etcd.Err():
			logf("etcd failed: %v", err)
		case <-ctx.Done():
			return
		}
		stop()
		os.Exit(1)
	}()

	return &upResult{Kubeconfig: kubeconfig, Server: server, Dir: dir, ServiceCIDR: serviceCIDR, TimingsMs: timings}, stop, nil
}

type child struct {
	name    string
	cmd     *exec.Cmd
	done    chan struct{}
	logPath string
	once    sync.Once
}

// startChild re-executes this binary as one component, logging to dir/NAME.log.
func startChild(dir, name string, args []string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{name}, args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{}), logPath: logPath}
	go func() { _ = cmd.Wait(); logFile.Close(); close(c.done) }()
	return c, nil
}

// stop asks the component to shut down and kills it if it has not within 10s.
func (c *child) stop() {
	c.once.Do(func() {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
}

func waitHealthy(ctx context.Context, c *child, url string, tlsCfg *tls.Config, timeout time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return fmt.Errorf("%s exited during startup:\n%s", c.name, tail(c.logPath, 40))
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			body := make([]byte, 4096)
			n, _ := resp.Body.Read(body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, body[:n])
		} else {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("%s not healthy after %s (last: %s):\n%s", c.name, timeout, last, tail(c.logPath, 40))
}

func adminTLS(p *pki) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(p.AdminCert, p.AdminKey)
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(p.CACert)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("bad CA PEM")
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool}, nil
}

// freePorts reserves n distinct loopback ports. The listeners are held until
// all ports are chosen so the kernel cannot hand out the same one twice.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func tail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
