package dev.runwire.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** A request's surface is its resource's; the path decides only where no resource matched. */
class ApiSurfaceTest {

    @ApiSurface(Surface.TALKOVER)
    static final class Declared {
    }

    @ApiSurface(value = Surface.NATIVE, apiKey = false)
    static final class OwnWayIn {
    }

    @Test
    void theMatchedResourceDecides() {
        assertEquals(Surface.TALKOVER, Surface.of(Declared.class, "/v1/runs"));
        assertEquals(Surface.ZAPIER, Surface.of(null, "/actions/v1/runs"));
        assertEquals(Surface.COMPOSIO, Surface.of(String.class, "/api/v2/actions/a/execute"));
        assertTrue(Surface.declared(Declared.class).apiKey());
        assertFalse(Surface.declared(OwnWayIn.class).apiKey());
        assertNull(Surface.declared(null));
    }

    @Test
    void everyResourceDeclaresItsSurface() {
        List<JavaClass> resources = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.runwire.api")
                .stream().filter(c -> c.isAnnotatedWith(jakarta.ws.rs.Path.class)).toList();
        assertFalse(resources.isEmpty());
        for (JavaClass resource : resources) {
            assertNotNull(Surface.declared(resource.reflect()), resource.getName() + " declares no @ApiSurface");
        }
        // the resources that check callers their own way, and only those, take no API key
        List<String> ownWayIn = resources.stream().filter(c -> !Surface.declared(c.reflect()).apiKey())
                .map(JavaClass::getSimpleName).sorted().toList();
        assertEquals(List.of("AdminResource", "McpEndpoint", "OAuthCallbackResource", "SecretsResource"), ownWayIn);
    }
}
