package dev.runwire.system.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small OAuth 2 authorization server and the API it protects, on 127.0.0.1, written from RFC 6749 for the tests:
 * {@code /authorize} redirects back with a one-time code and the state; {@code /token} answers the authorization-code,
 * refresh-token and client-credentials grants (client authenticated by HTTP basic) and records every grant;
 * {@code /api/...} answers 200 only to a bearer token it issued and has not replaced, 401 otherwise.
 */
public final class AuthorizationServer implements AutoCloseable {

    public static final String CLIENT_ID = "runwire-client";
    public static final String CLIENT_SECRET = "client-secret-" + UUID.randomUUID();

    /** A grant the token endpoint received. */
    public record Grant(String type, Map<String, String> form, String clientId, String clientSecret) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, String> codes = new ConcurrentHashMap<>();
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refusedRefreshTokens = ConcurrentHashMap.newKeySet();
    public final List<Grant> grants = new CopyOnWriteArrayList<>();
    public final List<String> apiCalls = new CopyOnWriteArrayList<>();
    /** Every access and refresh token issued. */
    public final List<String> issued = new CopyOnWriteArrayList<>();
    /** expires_in of the tokens the next grants issue. */
    public volatile long expiresIn = 3600;
    /** When set, the API refuses every token (a misconfigured integration that no refresh fixes). */
    public volatile boolean refuseAll;
    /** How long a refresh takes, so that concurrent callers would overlap. */
    public volatile long refreshDelayMillis = 300;

    public AuthorizationServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(threads);
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.createContext("/api", this::api);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Grant> grants(String type) {
        return grants.stream().filter(g -> g.type().equals(type)).toList();
    }

    /** The refresh token issued with this access token is refused from now on (invalid_grant). */
    public void refuseRefreshOf(String accessToken) {
        refusedRefreshTokens.add(refreshTokens.entrySet().stream().filter(e -> e.getValue().equals(accessToken))
                .map(Map.Entry::getKey).findFirst().orElseThrow());
    }

    /** The access token stops working (the provider revoked it). */
    public void invalidate(String accessToken) {
        validTokens.remove(accessToken);
    }

    /**
     * Connects a user through the whole authorization-code flow: Runwire's connect link, this server's consent
     * redirect, Runwire's callback. @return the connected account's id
     */
    public String connect(ServiceProcess api, String apiKey, String integrationKey, String userId) throws Exception {
        io.restassured.path.json.JsonPath started = SystemUnderTest.as(api, apiKey)
                .body(Map.of("integrationKey", integrationKey, "userId", userId)).post("/v1/connected-accounts").then()
                .statusCode(201).extract().jsonPath();
        java.net.http.HttpResponse<String> consent = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(started.getString("redirectUrl"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String back = java.net.URI.create(consent.headers().firstValue("Location").orElseThrow()).getRawQuery();
        io.restassured.RestAssured.given().baseUri(api.url()).get("/oauth/callback?" + back).then().statusCode(200);
        return started.getString("id");
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
        String code = "code-" + UUID.randomUUID();
        codes.put(code, query.get("redirect_uri"));
        String location = query.get("redirect_uri") + "?code=" + code + "&state="
                + java.net.URLEncoder.encode(query.get("state"), StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form;
        try (InputStream in = exchange.getRequestBody()) {
            form = form(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        String[] client = basic(exchange.getRequestHeaders().getFirst("Authorization"));
        String type = form.getOrDefault("grant_type", "");
        grants.add(new Grant(type, form, client[0], client[1]));
        if (type.equals("client_credentials")) {
            if (!client[1].startsWith("cc-secret-")) {
                answer(exchange, 401, "{\"error\":\"invalid_client\"}");
                return;
            }
            answer(exchange, 200, issue(false));
            return;
        }
        if (!CLIENT_ID.equals(client[0]) || !CLIENT_SECRET.equals(client[1])) {
            answer(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        if (type.equals("authorization_code")) {
            String redirect = codes.remove(form.getOrDefault("code", ""));
            if (redirect == null || !redirect.equals(form.get("redirect_uri"))) {
                answer(exchange, 400, "{\"error\":\"invalid_grant\"}");
                return;
            }
            answer(exchange, 200, issue(true));
            return;
        }
        if (type.equals("refresh_token")) {
            String refresh = form.getOrDefault("refresh_token", "");
            try {
                java.util.concurrent.TimeUnit.MILLISECONDS.sleep(refreshDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String previous = refreshTokens.get(refresh);
            if (previous == null || refusedRefreshTokens.contains(refresh)) {
                answer(exchange, 400, "{\"error\":\"invalid_grant\"}");
                return;
            }
            validTokens.remove(previous);
            refreshTokens.remove(refresh);
            answer(exchange, 200, issue(true));
            return;
        }
        answer(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
    }

    private String issue(boolean withRefresh) {
        String access = "at-" + UUID.randomUUID();
        validTokens.add(access);
        issued.add(access);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access);
        body.put("token_type", "Bearer");
        body.put("expires_in", expiresIn);
        if (withRefresh) {
            String refresh = "rt-" + UUID.randomUUID();
            refreshTokens.put(refresh, access);
            issued.add(refresh);
            body.put("refresh_token", refresh);
        }
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void api(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        apiCalls.add(exchange.getRequestURI().getPath() + " " + token);
        if (refuseAll || !validTokens.contains(token)) {
            answer(exchange, 401, "{\"error\":\"invalid_token\"}");
            return;
        }
        answer(exchange, 200, "{\"id\":\"ok\",\"price\":1}");
    }

    /** The latest access token the API accepted a call with, for a path prefix. */
    public String tokenOfCall(String pathPrefix) {
        return apiCalls.stream().filter(c -> c.startsWith(pathPrefix)).reduce((a, b) -> b).map(c -> c.split(" ")[1])
                .orElse(null);
    }

    private static String[] basic(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return new String[] { "", "" };
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return new String[] { URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8) };
    }

    public static Map<String, String> form(String encoded) {
        Map<String, String> form = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return form;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
