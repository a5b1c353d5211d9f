package main

import (
	"os"

	"k8s.io/component-base/logs"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"

	"k8s.io/component-base/cli"
)

// runKubectl is upstream cmd/kubectl's main. kubectl is not packaged for this
// machine, and it costs little to link it in here: build.sh puts a
// bin/kubectl symlink next to the binary.
func runKubectl() {
	// As upstream: set verbosity before the command is built (it reads .kuberc).
	logs.GlogSetter(cmd.GetLogVerbosity(os.Args)) //nolint:errcheck
	if err := cli.RunNoErrOutput(cmd.NewDefaultKubectlCommand()); err != nil {
		util.CheckErr(err)
	}
}
