package dev.runwire.system.run;

import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * {@code GET /v1/runs} over 10,000 runs: newest first with the id breaking ties, filters by user, status and
 * integrations, paging that neither skips nor repeats, strict parameter bounds, and only the caller's own runs. The
 * runs are written straight into the read model: listing reads nothing else.
 */
class RunListingIT {

    static final int RUNS = 10_000;
    @SharedApi
    static ServiceProcess api;
    @NewOwner
    static Owner owner;

    @BeforeAll
    static void setUp() throws Exception {
        try (Connection db = SystemUnderTest.db(); Statement statement = db.createStatement()) {
            // two runs per second of created_at, so the id has to break ties
            statement.execute("""
                    insert into api.runs (id, owner_id, user_id, intent, repeat_key, execution_plan_id, plan, status,
                                          integration_keys, created_at, updated_at)
                    select gen_random_uuid(), '%s', 'user-' || (g %% 10), 'listed', 'rk_' || g, gen_random_uuid(),
                           '{}'::jsonb, (array['SUCCESS','FAILED','PARTIAL_SUCCESS','NO_SUCCESS'])[1 + g %% 4],
                           case g %% 3 when 0 then array['crm'] when 1 then array['mail'] else array['crm','mail'] end,
                           timestamptz '2026-01-01 00:00:00+00' + (g / 2) * interval '1 second',
                           timestamptz '2026-01-01 00:00:00+00' + (g / 2) * interval '1 second'
                    from generate_series(1, %d) g""".formatted(owner.id(), RUNS));
            statement.execute("analyze api.runs");
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        try (Connection db = SystemUnderTest.db(); Statement statement = db.createStatement()) {
            statement.execute("delete from api.runs where owner_id = '" + owner.id() + "'");
        }
    }

    @Test
    void newestFirstWithTheIdBreakingTies() throws Exception {
        List<String> expected = ids("select id from api.runs where owner_id = '" + owner.id()
                + "' order by created_at desc, id desc limit 100");
        List<String> page = as(api, owner.apiKey()).get("/v1/runs?pageSize=100").then().statusCode(200).extract()
                .path("runId");
        assertEquals(expected, page);
        assertEquals(10, as(api, owner.apiKey()).get("/v1/runs").then().statusCode(200).extract()
                .<List<String>> path("runId").size(), "ten by default");
    }

    @Test
    void pagingThroughAFilterNeitherSkipsNorRepeats() throws Exception {
        Set<String> expected = new HashSet<>(
                ids("select id from api.runs where owner_id = '" + owner.id() + "' and user_id = 'user-3'"));
        assertEquals(RUNS / 10, expected.size());
        List<String> seen = new ArrayList<>();
        for (int page = 1; page <= 11; page++) {
            List<String> ids = as(api, owner.apiKey()).get("/v1/runs?userId=user-3&pageSize=100&page=" + page).then()
                    .statusCode(200)
                    .body("userId.unique()", page <= 10 ? equalTo(List.of("user-3")) : equalTo(List.of())).extract()
                    .path("runId");
            seen.addAll(ids);
        }
        assertEquals(expected.size(), seen.size(), "no run twice");
        assertEquals(expected, new HashSet<>(seen), "every run once");
    }

    @Test
    void filtersByStatusAndIntegrations() {
        as(api, owner.apiKey()).get("/v1/runs?status=FAILED&pageSize=100&page=3").then().statusCode(200)
                .body("size()", equalTo(100)).body("status.unique()", equalTo(List.of("FAILED")));
        // runs that used crm: g % 3 != 1
        List<String> crm = as(api, owner.apiKey()).get("/v1/runs?customerIntegrationIds=crm&pageSize=100").then()
                .statusCode(200).extract().path("runId");
        assertEquals(100, crm.size());
        // repeated parameters: runs that used any of them
        as(api, owner.apiKey())
                .get("/v1/runs?customerIntegrationIds=crm&customerIntegrationIds=mail&pageSize=100&page=100").then()
                .statusCode(200).body("size()", equalTo(100));
        as(api, owner.apiKey()).get("/v1/runs?customerIntegrationIds=nothing").then().statusCode(200).body("size()",
                equalTo(0));
        as(api, owner.apiKey()).get("/v1/runs?status=SUCCESS&userId=user-2&pageSize=5").then().statusCode(200)
                .body("size()", equalTo(5)).body("status.unique()", equalTo(List.of("SUCCESS")))
                .body("userId.unique()", equalTo(List.of("user-2")));
    }

    @Test
    void outOfRangeParametersAreRefusedByName() {
        for (String bad : List.of("page=0", "page=1001", "page=x", "pageSize=0", "pageSize=101", "status=DONE",
                "includeEvents=maybe")) {
            String name = bad.substring(0, bad.indexOf('='));
            as(api, owner.apiKey()).get("/v1/runs?" + bad).then().statusCode(400).body("errors[0].source.parameter",
                    equalTo(name));
        }
    }

    @Test
    void anotherOwnerSeesNoneOfThem() {
        Owner other = owner(api);
        as(api, other.apiKey()).get("/v1/runs?pageSize=100").then().statusCode(200).body("size()", equalTo(0));
        as(api, other.apiKey()).get("/v1/runs?userId=user-3").then().statusCode(200).body("size()", equalTo(0));
        as(api, "rw_not_a_key").get("/v1/runs").then().statusCode(401);
    }

    @Test
    void theFilteredListingReadsAnIndex() throws Exception {
        String plan = query("explain select * from api.runs where owner_id = '" + owner.id()
                + "' and user_id = 'user-3' order by created_at desc, id desc limit 100 offset 200").stream()
                        .map(row -> String.valueOf(row.get(0))).collect(Collectors.joining("\n"));
        assertTrue(plan.contains("runs_owner_user_created"), plan);
        String all = query("explain select * from api.runs where owner_id = '" + owner.id()
                + "' order by created_at desc, id desc limit 100").stream().map(row -> String.valueOf(row.get(0)))
                        .collect(Collectors.joining("\n"));
        assertTrue(all.contains("runs_owner_created"), all);
    }

    private static List<String> ids(String sql) throws Exception {
        return query(sql).stream().map(row -> String.valueOf(row.get(0))).toList();
    }
}
