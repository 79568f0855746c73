package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// The test binary doubles as a stdio MCP server: it answers each request with its method and the id it saw,
// and writes a notification of its own first, which the bridge must not mistake for a response.
func TestMain(m *testing.M) {
	if os.Getenv("BRIDGE_TEST_SERVER") == "1" {
		serveStdio()
		return
	}
	os.Exit(m.Run())
}

func serveStdio() {
	fmt.Println(`{"jsonrpc":"2.0","method":"notifications/message","params":{}}`)
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		var message map[string]json.RawMessage
		if json.Unmarshal(scanner.Bytes(), &message) != nil {
			continue
		}
		if message["method"] != nil && string(message["method"]) == `"exit"` {
			os.Exit(3)
		}
		if _, ok := message["id"]; !ok {
			continue
		}
		result, _ := json.Marshal(map[string]string{"method": string(message["method"]), "seenId": string(message["id"])})
		response, _ := json.Marshal(map[string]json.RawMessage{"jsonrpc": json.RawMessage(`"2.0"`), "id": message["id"], "result": result})
		fmt.Println(string(response))
	}
}

func startBridge(t *testing.T) (*httptest.Server, *child) {
	t.Helper()
	t.Setenv("BRIDGE_TEST_SERVER", "1")
	c, err := startChild(context.Background(), []string{os.Args[0]})
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(newHandler("/mcp", c))
	t.Cleanup(func() {
		server.Close()
		_ = c.stdin.Close()
	})
	return server, c
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	response, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	var decoded map[string]any
	_ = json.NewDecoder(response.Body).Decode(&decoded)
	return response.StatusCode, decoded
}

func TestRequestsFromClientsWithTheSameIdGetTheirOwnResponses(t *testing.T) {
	server, _ := startBridge(t)
	var wg sync.WaitGroup
	for _, method := range []string{"initialize", "tools/list", "ping", "tools/call"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body := post(t, server.URL+"/mcp", fmt.Sprintf(`{"jsonrpc":"2.0","id":7,"method":%q}`, method))
			result, _ := body["result"].(map[string]any)
			if status != http.StatusOK || body["id"] != float64(7) || result["method"] != fmt.Sprintf("%q", method) {
				t.Errorf("%s: got %d %v", method, status, body)
			}
			if result["seenId"] == "7" {
				t.Errorf("%s: the server saw the client's id, not the bridge's", method)
			}
		}()
	}
	wg.Wait()
}

func TestBadInputIsAnsweredNotRelayed(t *testing.T) {
	server, _ := startBridge(t)
	cases := []struct {
		name, method, body string
		status             int
	}{
		{"a notification is accepted", http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, http.StatusAccepted},
		{"not JSON", http.MethodPost, `{"jsonrpc":`, http.StatusBadRequest},
		{"a batch", http.MethodPost, `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, http.StatusBadRequest},
		{"a GET stream", http.MethodGet, ``, http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			request, _ := http.NewRequest(tc.method, server.URL+"/mcp", strings.NewReader(tc.body))
			response, err := http.DefaultClient.Do(request)
			if err != nil {
				t.Fatal(err)
			}
			response.Body.Close()
			if response.StatusCode != tc.status {
				t.Errorf("got %d, want %d", response.StatusCode, tc.status)
			}
		})
	}
}

func TestTheServersExitEndsTheBridgeWithItsCode(t *testing.T) {
	server, c := startBridge(t)
	status, _ := post(t, server.URL+"/mcp", `{"jsonrpc":"2.0","method":"exit"}`)
	if status != http.StatusAccepted {
		t.Fatalf("got %d", status)
	}
	if code := c.wait(); code != 3 {
		t.Fatalf("exit code %d, want 3", code)
	}
	health, err := http.Get(server.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	health.Body.Close()
	if health.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz %d after exit", health.StatusCode)
	}
}

func TestArguments(t *testing.T) {
	cases := []struct {
		args  []string
		error string
	}{
		{[]string{"--port", "9000", "--path", "/x", "--", "server", "-v"}, ""},
		{[]string{"--port", "0", "--", "server"}, "--port must be"},
		{[]string{"--path", "mcp", "--", "server"}, "--path must start with /"},
		{[]string{"--port", "9000"}, "no command"},
		{[]string{"--"}, "no command after --"},
		{[]string{"--verbose", "--", "server"}, "unknown argument"},
	}
	for _, tc := range cases {
		o, err := parseArgs(tc.args)
		if tc.error == "" && (err != nil || o.port != 9000 || o.path != "/x" || len(o.command) != 2) {
			t.Errorf("%v: got %+v, %v", tc.args, o, err)
		}
		if tc.error != "" && (err == nil || !strings.Contains(err.Error(), tc.error)) {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.error)
		}
	}
}
