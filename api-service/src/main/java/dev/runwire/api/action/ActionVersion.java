package dev.runwire.api.action;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

/**
 * One immutable version of an action. A change is a new row with the next version; runs pin the version they used. JSON
 * parts are kept as text and read through the shared mapper.
 */
@Entity
@Table(name = "actions")
public class ActionVersion extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "owner_id")
    public UUID ownerId;

    public String key;

    public int version;

    public boolean active;

    public String intent;

    public String description;

    public String type;

    @Column(name = "input_schema")
    public String inputSchema;

    @Column(name = "output_schema")
    public String outputSchema;

    @Column(name = "use_default_mapping")
    public boolean useDefaultMapping;

    @Column(name = "output_mapping")
    public String outputMapping;

    public String http;

    @Column(name = "timeout_ms")
    public int timeoutMs;

    /** The retry policy as JSON, or null for one attempt. */
    public String retry;

    @Column(name = "key_created_at")
    public Instant keyCreatedAt;

    @Column(name = "created_at")
    public Instant createdAt;

    /** The newest version of an owner's action, or null. */
    public static Uni<ActionVersion> latest(UUID ownerId, String key) {
        return find("ownerId = ?1 and key = ?2 order by version desc", ownerId, key).firstResult();
    }

    /** The newest version of each of an owner's actions. */
    public static Uni<List<ActionVersion>> latestOfEach(UUID ownerId) {
        return list("from ActionVersion a where a.ownerId = ?1 and a.version = "
                + "(select max(b.version) from ActionVersion b where b.ownerId = a.ownerId and b.key = a.key) order by a.key",
                ownerId);
    }
}
