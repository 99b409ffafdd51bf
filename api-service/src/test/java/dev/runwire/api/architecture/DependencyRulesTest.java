package dev.runwire.api.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Set;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * The api-service's dependency rules (ADR 0032): its feature packages form no cycle; the run core depends on no
 * surface; a JAX-RS resource reaches the database only through a store or a service.
 */
class DependencyRulesTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.runwire.api");

    /** The HTTP dialects Runwire speaks besides its own: nothing below them may know them. */
    private static final String[] SURFACES = { "dev.runwire.api.zapier..", "dev.runwire.api.talkover..",
            "dev.runwire.api.composio.." };

    /**
     * Resources that still read rows or use entities themselves. Each is to get a store or service of its own (issue
     * #13, item 3); the list may only shrink.
     */
    private static final Set<String> RESOURCES_STILL_ON_SQL = Set.of("dev.runwire.api.callback.CallbackResource",
            "dev.runwire.api.zapier.StoredActionResource", "dev.runwire.api.run.RunResource");

    /** SQL: the reactive SQL clients, Panache, and the entities Panache manages. */
    private static final DescribedPredicate<JavaClass> SQL = JavaClass.Predicates
            .resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.mutiny.sqlclient..", "io.vertx.pgclient..",
                    "io.vertx.mutiny.pgclient..", "io.quarkus.hibernate.reactive.panache..")
            .or(JavaClass.Predicates.assignableTo(PanacheEntityBase.class)).as("SQL or Panache");

    @Test
    void featurePackagesFormNoCycle() {
        slices().matching("dev.runwire.api.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theRunCoreDependsOnNoSurface() {
        noClasses().that()
                .resideInAnyPackage("dev.runwire.api.run..", "dev.runwire.api.outbox..", "dev.runwire.api.projection..",
                        "dev.runwire.api.feed..", "dev.runwire.api.callback..", "dev.runwire.api.connection..",
                        "dev.runwire.api.planner..")
                .should().dependOnClassesThat().resideInAnyPackage(SURFACES).check(MAIN);
    }

    @Test
    void resourcesDoNotTouchSql() {
        noClasses().that().areAnnotatedWith(jakarta.ws.rs.Path.class)
                .and(DescribedPredicate.describe("not yet moved off SQL",
                        (JavaClass c) -> !RESOURCES_STILL_ON_SQL.contains(c.getName())))
                .should().dependOnClassesThat(SQL).check(MAIN);
    }

    @Test
    void theAllowListNamesOnlyResourcesThatStillTouchSql() {
        // a resource taken off SQL must leave the list, so the list cannot hide a new offender
        for (String name : RESOURCES_STILL_ON_SQL) {
            JavaClass resource = MAIN.get(name);
            boolean touches = resource.getDirectDependenciesFromSelf().stream()
                    .anyMatch(d -> SQL.test(d.getTargetClass()));
            if (!touches) {
                throw new AssertionError(name + " no longer touches SQL: remove it from RESOURCES_STILL_ON_SQL");
            }
        }
    }
}
