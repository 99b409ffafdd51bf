import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The demo integration that `./runwire up` starts: a tiny weather API on 127.0.0.1.
 * Run with `java deploy/local/DemoIntegration.java PORT`.
 */
public class DemoIntegration {

    public static void main(String[] args) throws IOException {
        // without TCP_NODELAY the JDK server's split header/body writes meet delayed ACKs: +40 ms a call
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18090;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", DemoIntegration::handle);
        server.start();
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if ("GET".equals(exchange.getRequestMethod()) && path.startsWith("/weather/") && path.length() > 9) {
            String city = URLDecoder.decode(path.substring(9), StandardCharsets.UTF_8);
            int temperature = Math.floorMod(city.toLowerCase().hashCode(), 35) - 5;
            respond(exchange, 200, "{\"city\":" + quote(city) + ",\"temperatureC\":" + temperature
                    + ",\"conditions\":\"sunny\"}");
        } else {
            respond(exchange, 404, "{\"error\":\"not found\"}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
