// Command plugin-fetcher runs as an init container of MCPG gateway pods on clusters without image volumes: it
// pulls each digest-pinned plugin artifact, checks every byte against its digest and the plugin binary against
// the digest the plugin set published, and unpacks it where the gateway loads it from. Anything that does not
// check out stops the pod from starting (fail-closed) with one line naming the plugin and the fix.
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	request, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "plugin-fetcher: %v\n", err)
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), request.timeout)
	defer cancel()
	fetcher := newFetcher(request)
	for _, plugin := range request.plugins {
		fetched, err := fetcher.fetch(ctx, plugin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plugin-fetcher: %s: %v\n", plugin.artifact, err)
			os.Exit(1)
		}
		fmt.Printf("fetched %s into %s (plugin.so %s)\n", plugin.artifact, plugin.into, fetched)
	}
}
