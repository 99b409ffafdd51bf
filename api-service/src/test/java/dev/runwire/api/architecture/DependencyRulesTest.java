package dev.runwire.api.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The api-service's dependency rules (ADR 0032): its feature packages form no cycle; the run core depends on no
 * surface; a JAX-RS resource reaches the database only through a store or a service; a {@code Row} is read only in a
 * store, a class that runs statements itself (ADR 0007).
 */
class DependencyRulesTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.runwire.api");

    /** The HTTP dialects Runwire speaks besides its own: nothing below them may know them. */
    private static final String[] SURFACES = { "dev.runwire.api.zapier..", "dev.runwire.api.talkover..",
            "dev.runwire.api.composio.." };

    /** What runs a statement: a class that uses one of these is a store. */
    private static final DescribedPredicate<JavaClass> STATEMENT_RUNNER = JavaClass.Predicates
            .assignableTo(io.vertx.mutiny.sqlclient.SqlClient.class).as("a SQL client (Pool, SqlConnection)");

    /** SQL: the reactive SQL clients, and JPA or Hibernate should either come back. */
    private static final DescribedPredicate<JavaClass> SQL = JavaClass.Predicates
            .resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.mutiny.sqlclient..", "io.vertx.pgclient..",
                    "io.vertx.mutiny.pgclient..", "jakarta.persistence..", "org.hibernate..", "io.quarkus.hibernate..")
            .as("SQL");

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
        noClasses().that().areAnnotatedWith(jakarta.ws.rs.Path.class).should().dependOnClassesThat(SQL).check(MAIN);
    }

    /**
     * Rows stay in stores: a class that reads a {@code Row} or a {@code RowSet} is a store, which here means it runs
     * the statements that produced them itself (it uses a {@code Pool} or a {@code SqlConnection}), and hands its
     * callers typed records. So no resource, view, record or renderer sees a column name.
     */
    @Test
    void rowsAreReadOnlyInStores() {
        DescribedPredicate<JavaClass> row = JavaClass.Predicates
                .resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.mutiny.sqlclient..")
                .and(JavaClass.Predicates.simpleNameStartingWith("Row")).as("Row or RowSet");
        DescribedPredicate<JavaClass> store = DescribedPredicate.describe("a store (runs statements itself)",
                (JavaClass c) -> c.getDirectDependenciesFromSelf().stream()
                        .anyMatch(d -> STATEMENT_RUNNER.test(d.getTargetClass())));
        noClasses().that(DescribedPredicate.not(store)).should().dependOnClassesThat(row).check(MAIN);
    }
}
