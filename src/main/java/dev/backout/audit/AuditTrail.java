package dev.backout.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.backout.database.ConsoleQuery;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Appends events to the hash chain. Joins the caller's transaction so that an event commits
 * or rolls back with the change it describes. Appends are serialized across threads and
 * console instances by a transaction-scoped advisory lock, so every event links to the one
 * before it. Its reads are one statement each and open no transaction of their own: around a
 * single statement one would only add a round trip (they join the caller's, where there is one).
 */
@Component
public class AuditTrail {

	/** Advisory lock key for chain appends ("BACKOUT" in ASCII). */
	static final long CHAIN_LOCK = 0x4241434b4f5554L;

	/** The columns every read of events selects; {@link CopiedEvents} reads them by position. */
	static final String COLUMNS = "seq, occurred_at, actor, actor_roles, incident_id, action, details::text as details, prev_hash, hash, mac";

	private final JdbcClient jdbc;

	private final Clock clock;

	private final TrailKey key;

	/** How long an append takes, waiting for the chain's lock included: every action of the console pays it. */
	private final Timer appends;

	AuditTrail(JdbcClient jdbc, Clock clock, TrailKey key, MeterRegistry meters) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.key = key;
		this.appends = Timer.builder("backout.trail.append").description("Appending one event to the trail").register(meters);
	}

	@Transactional
	public AuditEvent record(AuditEntry entry) {
		return this.appends.record(() -> append(entry));
	}

	private AuditEvent append(AuditEntry entry) {
		// Appends are short; waiting longer than this means a bug (e.g. a nested transaction waiting on its own
		// outer one), which must fail loudly rather than hang.
		// The timeout is set before the lock is asked for: a select list is evaluated left to right.
		this.jdbc.sql("select set_config('lock_timeout', '10s', true), pg_advisory_xact_lock(?)").param(CHAIN_LOCK)
			.query()
			.listOfRows();
		Head head = this.jdbc.sql("select seq, hash from audit_event order by seq desc limit 1")
			.query((rs, row) -> new Head(rs.getLong("seq"), rs.getString("hash")))
			.optional()
			.orElse(Head.GENESIS);
		long seq = head.seq() + 1;
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		String details = AuditHashing.canonicalDetails(entry.details());
		String hash = AuditHashing.hash(seq, now, entry.actor(), entry.actorRoles(), entry.incidentId(),
				entry.action(), details, head.hash());
		String mac = this.key.eventMac(seq, entry.incidentId(), head.hash(), hash);
		this.jdbc.sql("""
				insert into audit_event (seq, occurred_at, actor, actor_roles, incident_id, action, details, prev_hash, hash, mac)
				values (:seq, :occurredAt, :actor, :actorRoles, :incidentId, :action, cast(:details as jsonb), :prevHash, :hash, :mac)
				""")
			.param("seq", seq)
			.param("occurredAt", Timestamp.from(now))
			.param("actor", entry.actor())
			.param("actorRoles", entry.actorRoles())
			.param("incidentId", entry.incidentId())
			.param("action", entry.action())
			.param("details", details)
			.param("prevHash", head.hash())
			.param("hash", hash)
			.param("mac", mac)
			.update();
		return new AuditEvent(seq, now, entry.actor(), entry.actorRoles(), entry.incidentId(), entry.action(),
				details, head.hash(), hash, mac);
	}

	/** Every event of one incident, in order (the incident's timeline), as a query to send with others ({@link dev.backout.database.OneTrip}). */
	public static ConsoleQuery<List<AuditEvent>> forIncidentQuery(long incidentId) {
		return ConsoleQuery.list("select " + COLUMNS + " from audit_event where incident_id = :incident order by seq",
				Map.of("incident", incidentId), AuditTrail::mapEvent);
	}

	/** What one person did, newest first, {@code limit} events before sequence {@code before} (keyset). */
	public List<AuditEvent> byActor(String actor, long before, int limit) {
		return this.jdbc.sql("select " + COLUMNS + " from audit_event where actor = :actor and seq < :before order by seq desc limit :limit")
			.param("actor", actor)
			.param("before", before)
			.param("limit", limit)
			.query(AuditTrail::mapEvent)
			.list();
	}

	/** The latest incident opened for each runbook (runbook id → event), from the trail. */
	public Map<String, AuditEvent> lastIncidentPerRunbook() {
		Map<String, AuditEvent> latest = new java.util.LinkedHashMap<>();
		this.jdbc.sql("""
				select distinct on (details->>'runbook') details->>'runbook' as runbook, seq, occurred_at, actor, actor_roles,
				  incident_id, action, details::text as details, prev_hash, hash, mac
				from audit_event where action = 'INCIDENT_OPENED'
				order by details->>'runbook', seq desc
				""").query((rs, row) -> Map.entry(rs.getString("runbook"), mapEvent(rs, row))).list()
			.forEach((entry) -> latest.put(entry.getKey(), entry.getValue()));
		return latest;
	}

	/** The newest events, newest first. */
	public List<AuditEvent> latest(int limit) {
		return this.jdbc.sql("select " + COLUMNS + " from audit_event order by seq desc limit :limit")
			.param("limit", limit)
			.query(AuditTrail::mapEvent)
			.list();
	}

	/** The sequence numbers of events the console did not write: no or a wrong proof of authorship. */
	public Set<Long> notWrittenByTheConsole(List<AuditEvent> events) {
		return events.stream().filter((event) -> !this.key.proves(event)).map(AuditEvent::seq).collect(Collectors.toSet());
	}

	/**
	 * An event with its details as the database prints them, not yet canonical: verification puts
	 * them in canonical form on other threads ({@link CheckedEvents}).
	 */
	static AuditEvent mapStoredEvent(ResultSet rs) throws SQLException {
		return new AuditEvent(rs.getLong("seq"), rs.getObject("occurred_at", OffsetDateTime.class).toInstant(), rs.getString("actor"),
				rs.getString("actor_roles"), rs.getObject("incident_id", Long.class), rs.getString("action"),
				rs.getString("details"), rs.getString("prev_hash"), rs.getString("hash"), rs.getString("mac"));
	}

	static AuditEvent mapEvent(ResultSet rs, int row) throws SQLException {
		return mapStoredEvent(rs).withCanonicalDetails();
	}

	private record Head(long seq, String hash) {

		static final Head GENESIS = new Head(0, AuditHashing.GENESIS);

	}

}
