package main

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// responseTimeout bounds how long a client waits for the server's answer to one request.
const responseTimeout = 60 * time.Second

func newHandler(path string, c *child) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-c.done:
			http.Error(w, "the MCP server process has exited", http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { relay(w, r, c) })
	return mux
}

func jsonError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0",
		"id":      nil,
		"error":   map[string]any{"code": -32600, "message": message},
	})
	_, _ = w.Write(body)
}

func relay(w http.ResponseWriter, r *http.Request, c *child) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "this bridge answers POST only (no server-sent event stream)", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxMessage+1))
	if err != nil || len(body) > maxMessage {
		jsonError(w, http.StatusRequestEntityTooLarge, "the message is larger than 4 MiB or could not be read")
		return
	}
	var message map[string]json.RawMessage
	if json.Unmarshal(body, &message) != nil {
		jsonError(w, http.StatusBadRequest, "the body must be one JSON-RPC message (a JSON object)")
		return
	}
	reply, cancel, err := c.send(message)
	defer cancel()
	if err != nil {
		jsonError(w, http.StatusBadGateway, err.Error())
		return
	}
	if reply == nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	select {
	case response := <-reply:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(response)
	case <-c.done:
		jsonError(w, http.StatusBadGateway, errChildGone.Error())
	case <-time.After(responseTimeout):
		jsonError(w, http.StatusGatewayTimeout, "the MCP server did not answer within 60s")
	case <-r.Context().Done():
	}
}
