package dev.runwire.system.security;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.newOwner;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.ownerWithActions;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * The egress guard: integration base URLs that point at private, loopback, link-local (cloud metadata) or reserved
 * addresses are refused in any notation when written, and a host name is checked again, for every address it resolves
 * to, right before the executor connects. The test services allow exactly 127.0.0.1 for their stubs.
 */
class EgressIT {

    @Test
    void privateAddressesAreRefusedWhenWrittenInAnyNotation(@SharedApi ServiceProcess api, @NewOwner Owner owner)
            throws Exception {
        for (String url : List.of("http://10.0.0.1", "http://169.254.169.254/latest", "http://0177.0.0.2:8080",
                "http://0x7f000002", "http://2130706434", "http://[::ffff:169.254.169.254]", "http://[::1]:8080",
                "http://192.168.0.10", "http://100.64.1.1", "ftp://example.com", "http://user:pw@127.0.0.1",
                // a zone, and IPv6 forms that embed a refused IPv4 address (IPv4-compatible, IPv4-translated, 6to4,
                // ISATAP, Teredo, NAT64 local-use)
                "http://[fe80::1%25lo]", "http://[::127.0.0.2]", "http://[::ffff:0:7f00:2]", "http://[2002:7f00:2::]",
                "http://[2606:2800:21f:cb07:0:5efe:10.0.0.1]", "http://[2001:0:5db8:d70e:0:0:80ff:fffd]",
                "http://[64:ff9b:1::a00:1]")) {
            as(api, owner.apiKey()).body(Map.of("key", "bad", "name", "bad", "baseUrl", url)).post("/v1/integrations")
                    .then().statusCode(422).body("errors[0].source.pointer", equalTo("/baseUrl"));
        }
        assertEquals(0L,
                query("select count(*) from api.integrations where owner_id = '" + owner.id() + "'").get(0).get(0),
                "nothing was written");
        // the allowed stub address passes
        integration(api, owner.apiKey(), "ok", "http://127.0.0.1:9");
    }

    @Test
    void aHostNameIsCheckedForTheAddressItResolvesToBeforeTheCall() throws Exception {
        try (IsolatedTopics topics = new IsolatedTopics("egress"); Stub stub = new Stub();
                ServiceProcess api = ServiceProcess.api("api-egress", topics.apiEnv(Map.of())).start();
                ServiceProcess executor = ServiceProcess.executor("executor-egress", strictExecutor(topics)).start()) {
            stub.on("/items/", 200, "{\"id\":\"x\",\"price\":1}", 0);
            String key = newOwner(api);
            // a host name passes when written; it resolves to 127.0.0.1, which this executor does not allow
            integration(api, key, "named", stub.baseUrl().replace("127.0.0.1", "localhost"));
            action(api, key, "named_item", "named", "/items", 5_000);
            as(api, key).body(Map.of("key", "named_item", "userId", "u", "input", Map.of("id", "1")))
                    .post("/v1/actions/run").then().statusCode(502).body("errors[0].code", equalTo("egress_refused"));
            assertTrue(stub.receivedUnder("/items/").isEmpty(), "nothing reached the address");
        }
    }

    @Test
    void anIntegrationThatRedirectsIsNotFollowed(@SharedApi ServiceProcess api, @NewStub Stub stub) {
        Owner owner = ownerWithActions(api, stub, "moved");
        stub.once("/moved/", 302, "{}", Map.of("Location", stub.baseUrl() + "/canary/latest/meta-data"));
        as(api, owner.apiKey()).body(Map.of("key", "moved", "userId", "u", "input", Map.of("id", "1")))
                .post("/v1/actions/run").then().statusCode(502)
                .body("errors[0].code", equalTo("integration_http_error"))
                .body("errors[0].meta.integrationStatus", equalTo(302));
        assertTrue(stub.receivedUnder("/canary/").isEmpty(), "the redirect was not followed");
    }

    /** An executor with the default policy: no allow-list, so loopback is refused like any private address. */
    private static Map<String, String> strictExecutor(IsolatedTopics topics) {
        Map<String, String> env = new HashMap<>(topics.executorEnv());
        env.put("RUNWIRE_EGRESS_ALLOW", "");
        return env;
    }
}
