package dev.runwire.api.error;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MCP endpoint's failures that happen before or outside a JSON-RPC exchange (credentials, an unknown server, the
 * HTTP layer's limits, an outage): a JSON-RPC error response without an id, as the Streamable HTTP transport allows for
 * an HTTP error status, so an MCP client reads it as it reads the protocol's own errors. The HTTP status is kept; the
 * code is the protocol's invalid request (-32600) for a client's fault, internal error (-32603) for ours. The error
 * objects travel in {@code data} with the status, for the codes and pointers a person needs.
 */
final class JsonRpcRenderer implements ErrorRenderer {

    static final int INVALID_REQUEST = -32600;
    static final int INTERNAL_ERROR = -32603;

    @Override
    public Rendered render(int status, List<ErrorObject> errors) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST);
        error.put("message", errors.get(0).detail());
        error.put("data", Map.of("status", status, "errors", errors));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jsonrpc", "2.0");
        body.put("id", null);
        body.put("error", error);
        return new Rendered(status, body);
    }
}
