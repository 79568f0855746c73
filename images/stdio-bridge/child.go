package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
)

// maxMessage bounds one JSON-RPC message in either direction.
const maxMessage = 4 << 20

var errChildGone = errors.New("the MCP server process has exited")

// child is the stdio MCP server: messages go to its stdin one per line, responses come back on its stdout and
// are matched to the waiting request by an id of the bridge's own (clients' ids may collide).
type child struct {
	stdin io.WriteCloser
	cmd   *exec.Cmd
	done  chan struct{}

	mu      sync.Mutex
	next    int64
	waiting map[string]pending
	writeMu sync.Mutex
}

type pending struct {
	originalID json.RawMessage
	reply      chan []byte
}

func startChild(ctx context.Context, command []string) (*child, error) {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", command[0], err)
	}
	c := &child{stdin: stdin, cmd: cmd, done: make(chan struct{}), waiting: map[string]pending{}}
	go c.readResponses(stdout)
	go func() {
		<-ctx.Done()
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}()
	return c, nil
}

// wait returns the child's exit code once it has exited.
func (c *child) wait() int {
	err := c.cmd.Wait()
	close(c.done)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

func (c *child) readResponses(stdout io.Reader) {
	scanner := bufio.NewScanner(stdout)
	scanner.Buffer(make([]byte, 64<<10), maxMessage)
	for scanner.Scan() {
		c.deliver(scanner.Bytes())
	}
}

// deliver hands a response to the request waiting for it, with the client's id restored. Anything else the
// server writes (its own requests, notifications, log lines) has no one to go to here and is dropped.
func (c *child) deliver(line []byte) {
	var message map[string]json.RawMessage
	if json.Unmarshal(line, &message) != nil {
		return
	}
	if _, isRequest := message["method"]; isRequest {
		return
	}
	key := string(message["id"])
	c.mu.Lock()
	waiter, ok := c.waiting[key]
	delete(c.waiting, key)
	c.mu.Unlock()
	if !ok {
		return
	}
	message["id"] = waiter.originalID
	restored, _ := json.Marshal(message)
	waiter.reply <- restored
}

// send writes a message to the child; for a request it returns the channel its response will arrive on.
func (c *child) send(message map[string]json.RawMessage) (<-chan []byte, func(), error) {
	var reply chan []byte
	cancel := func() {}
	if id, isRequest := message["id"]; isRequest {
		c.mu.Lock()
		c.next++
		key := strconv.FormatInt(c.next, 10)
		reply = make(chan []byte, 1)
		c.waiting[key] = pending{originalID: id, reply: reply}
		c.mu.Unlock()
		message["id"] = json.RawMessage(key)
		cancel = func() {
			c.mu.Lock()
			delete(c.waiting, key)
			c.mu.Unlock()
		}
	}
	line, err := json.Marshal(message)
	if err != nil {
		cancel()
		return nil, func() {}, err
	}
	c.writeMu.Lock()
	_, err = c.stdin.Write(append(line, '\n'))
	c.writeMu.Unlock()
	if err != nil {
		cancel()
		return nil, func() {}, errChildGone
	}
	return reply, cancel, nil
}
