package dev.runwire.api.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The console's files are served without a key (they are no API), while the API they call still wants one; the address
 * without its slash leads to the console.
 */
@QuarkusTest
class ConsoleResourcesTest {

    @Test
    void theConsoleLoadsWithoutAKey() {
        given().get("/console/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("<script type=\"module\" src=\"app.js\">"));
        for (String file : new String[] { "app.js", "api.js", "stream.js", "dom.js", "graph.js", "schema.js",
                "forms.js", "waits.js", "deliveries.js", "registry.js" }) {
            given().get("/console/" + file).then().statusCode(200).contentType(containsString("javascript"));
        }
        given().get("/console/console.css").then().statusCode(200).contentType(containsString("text/css"));
        given().redirects().follow(false).get("/console").then().statusCode(301).header("location",
                equalTo("/console/"));
    }

    @Test
    void theApiStillWantsAKey() {
        given().get("/v1/runs").then().statusCode(401).body("errors[0].code", not(equalTo(null)));
        given().get("/console/missing.js").then().statusCode(404);
    }
}
