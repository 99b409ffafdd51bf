package dev.runwire.api.integration;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

/** A third-party API an owner calls, by base URL. */
@Entity
@Table(name = "integrations")
public class Integration extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "owner_id")
    public UUID ownerId;

    public String key;

    public String name;

    @Column(name = "base_url")
    public String baseUrl;

    /** The {@link AuthScheme} as JSON. */
    public String auth;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public AuthScheme auth() {
        return auth == null ? AuthScheme.NONE : dev.runwire.model.json.Json.read(auth, AuthScheme.class);
    }

    public static Uni<Integration> findByKey(UUID ownerId, String key) {
        return find("ownerId = ?1 and key = ?2", ownerId, key).firstResult();
    }
}
