// Command mcpg-stdio-bridge serves an MCP server that speaks stdio as a streamable-HTTP MCP endpoint. It runs as
// the container's first process: it starts the server as its child, relays each JSON-RPC message POSTed to the
// endpoint to the child's stdin and answers a request with the child's response to it. The child's exit ends the
// bridge with the same code, so the pod restarts it.
//
//	mcpg-stdio-bridge --port 8080 --path /mcp -- <command> [args...]
//	mcpg-stdio-bridge install <destination>     (copies itself, for an init container; the image has no cp)
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

const usage = `usage:
  mcpg-stdio-bridge --port <port> --path <path> -- <command> [args...]
  mcpg-stdio-bridge install <destination>
`

type options struct {
	port    int
	path    string
	command []string
}

func parseArgs(args []string) (options, error) {
	o := options{port: 8080, path: "/mcp"}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--":
			o.command = args[i+1:]
			if len(o.command) == 0 {
				return o, errors.New("no command after --")
			}
			return o, nil
		case "--port", "--path":
			if i+1 >= len(args) {
				return o, fmt.Errorf("%s needs a value", args[i])
			}
			if err := o.set(args[i], args[i+1]); err != nil {
				return o, err
			}
			i++
		default:
			return o, fmt.Errorf("unknown argument %q", args[i])
		}
	}
	return o, errors.New("no command: put the server's command after --")
}

func (o *options) set(flag, value string) error {
	if flag == "--path" {
		if value == "" || value[0] != '/' {
			return fmt.Errorf("--path must start with / (got %q)", value)
		}
		o.path = value
		return nil
	}
	port, err := strconv.Atoi(value)
	if err != nil || port < 1 || port > 65535 {
		return fmt.Errorf("--port must be a port number from 1 to 65535 (got %q)", value)
	}
	o.port = port
	return nil
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "install" {
		if err := install(os.Args[2]); err != nil {
			fmt.Fprintf(os.Stderr, "mcpg-stdio-bridge: install: %v\n", err)
			os.Exit(1)
		}
		return
	}
	o, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "mcpg-stdio-bridge: %v\n%s", err, usage)
		os.Exit(2)
	}
	os.Exit(run(o))
}

func run(o options) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	child, err := startChild(ctx, o.command)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mcpg-stdio-bridge: %v\n", err)
		return 1
	}
	server := &http.Server{Handler: newHandler(o.path, child), ReadHeaderTimeout: 10 * time.Second}
	listener, err := net.Listen("tcp", fmt.Sprintf(":%d", o.port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "mcpg-stdio-bridge: %v\n", err)
		return 1
	}
	go func() { _ = server.Serve(listener) }()
	code := child.wait()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = server.Shutdown(shutdown)
	return code
}

// install copies the running executable to destination (mode 0755).
func install(destination string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	data, err := os.ReadFile(self)
	if err != nil {
		return err
	}
	return os.WriteFile(destination, data, 0o755)
}
