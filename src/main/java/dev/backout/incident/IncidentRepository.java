package dev.backout.incident;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import dev.backout.database.ConsoleQuery;
import dev.backout.runbook.Outcome;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.web.server.ResponseStatusException;

/**
 * Incidents in the console database. Every update names the version it was made on and fails
 * with {@link IncidentChanged} when another change came first.
 */
@Repository
class IncidentRepository {

	private final JdbcClient jdbc;

	private final JsonMapper json = JsonMapper.builder().build();

	IncidentRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	long insert(Incident incident) {
		return this.jdbc.sql("""
				insert into incident (runbook_id, runbook_hash, runbook_title, target_id, commander, symptom, severity,
				  detected_at, opened_at, deadline_at, state)
				values (:runbookId, :runbookHash, :title, :target, :commander, :symptom, :severity, :detected, :opened,
				  :deadline, :state)
				returning id
				""")
			.param("runbookId", incident.runbookId())
			.param("runbookHash", incident.runbookHash())
			.param("title", incident.runbookTitle())
			.param("target", incident.targetId())
			.param("commander", incident.commander())
			.param("symptom", incident.symptom())
			.param("severity", incident.severity().name())
			.param("detected", Timestamp.from(incident.detectedAt()))
			.param("opened", Timestamp.from(incident.openedAt()))
			.param("deadline", timestamp(incident.deadlineAt()))
			.param("state", incident.state().name())
			.query(Long.class)
			.single();
	}

	Incident get(long id) {
		return incidentQuery(id).readWith(this.jdbc).orElseThrow(() -> noIncident(id));
	}

	/** {@link #get} as a query to send with others ({@link dev.backout.database.OneTrip}); empty when there is no such incident. */
	ConsoleQuery<Optional<Incident>> incidentQuery(long id) {
		return ConsoleQuery.optional("select * from incident where id = :id", Map.of("id", id), this::map);
	}

	/**
	 * What the incident page shows about the incident itself, in one statement: the incident, who
	 * command is offered to, its schema snapshots once there can be both (read only then: they are
	 * large, and the page is polled), its latest rehearsal and where it can be rehearsed. A query to
	 * send with others ({@link dev.backout.database.OneTrip}); empty when there is no such incident.
	 */
	ConsoleQuery<Optional<Page>> pageQuery(long id) {
		return ConsoleQuery.optional(PAGE, Map.of("id", id), this::mapPage);
	}

	static ResponseStatusException noIncident(long id) {
		return new ResponseStatusException(HttpStatus.NOT_FOUND, "No incident " + id);
	}

	private static final String PAGE = """
			select i.*, o.offered_to,
			  case when i.state in ('VERIFYING', 'COMPLETED', 'CLOSED', 'ABORTED')
			    then (select content from schema_snapshot s where s.incident_id = i.id and s.kind = 'BEFORE') end as schema_before,
			  case when i.state in ('VERIFYING', 'COMPLETED', 'CLOSED', 'ABORTED')
			    then (select content from schema_snapshot s where s.incident_id = i.id and s.kind = 'AFTER') end as schema_after,
			  (select r.content from rehearsal r where r.incident_id = i.id order by r.id desc limit 1) as rehearsal,
			  case when i.state = 'PRECHECK'
			    then (select json_agg(json_build_object('id', t.id, 'name', t.name) order by t.name) from target t
			          where t.alias_group = (select alias_group from target where id = i.target_id)) end as rehearsal_targets
			from incident i left join command_offer o on o.incident_id = i.id
			where i.id = :id""";

	private Page mapPage(ResultSet rs, int row) throws SQLException {
		return new Page(map(rs, row), rs.getString("offered_to"), rs.getString("schema_before"), rs.getString("schema_after"),
				rs.getString("rehearsal"), rs.getString("rehearsal_targets"));
	}

	/**
	 * @param rehearsal the latest rehearsal, as stored
	 * @param rehearsalTargets while the plan can be rehearsed, the targets of its alias group as JSON
	 */
	record Page(Incident incident, String commandOfferedTo, String schemaBefore, String schemaAfter, String rehearsal,
			String rehearsalTargets) {
	}

	List<Incident> recent(int limit) {
		return this.jdbc.sql("select * from incident order by id desc limit :limit").param("limit", limit).query(this::map).list();
	}

	List<Incident> active() {
		return this.jdbc.sql("select * from incident where state not in ('COMPLETED', 'CLOSED', 'ABORTED') order by id desc limit 100")
			.query(this::map)
			.list();
	}

	/**
	 * One page of the history, newest first, after {@code filter.before()} (keyset pagination: the
	 * same cost for the first page and the thousandth). Only constant fragments are added to the
	 * SQL; every value is a bound parameter.
	 */
	List<Incident> search(HistoryFilter filter, int limit) {
		return searchQuery(filter, limit).readWith(this.jdbc);
	}

	/** {@link #search} as a query to send with others ({@link dev.backout.database.OneTrip}). */
	ConsoleQuery<List<Incident>> searchQuery(HistoryFilter filter, int limit) {
		StringBuilder sql = new StringBuilder("select * from incident i where true");
		java.util.Map<String, Object> params = new java.util.HashMap<>();
		if (filter.from() != null) {
			sql.append(" and i.opened_at >= :from");
			params.put("from", Timestamp.from(filter.from().atStartOfDay(java.time.ZoneOffset.UTC).toInstant()));
		}
		if (filter.to() != null) {
			sql.append(" and i.opened_at < :to");
			params.put("to", Timestamp.from(filter.to().plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()));
		}
		if (filter.runbook() != null) {
			sql.append(" and i.runbook_id = :runbook");
			params.put("runbook", filter.runbook());
		}
		if (filter.target() != null) {
			sql.append(" and i.target_id = :target");
			params.put("target", filter.target());
		}
		if (filter.state() != null) {
			sql.append(" and i.state = :state");
			params.put("state", filter.state().name());
		}
		if (filter.person() != null) {
			sql.append(" and (i.commander = :person or i.id in (select p.incident_id from audit_participant p where p.actor = :person))");
			params.put("person", filter.person());
		}
		if (filter.before() != null) {
			sql.append(" and i.id < :before");
			params.put("before", filter.before());
		}
		sql.append(" order by i.id desc limit :limit");
		params.put("limit", limit);
		return ConsoleQuery.list(sql.toString(), params, this::map);
	}

	/** Saves every mutable field if the stored version is still {@code incident.version()}; returns the new version. */
	Incident update(Incident incident) {
		int updated;
		try {
			updated = this.jdbc.sql("""
					update incident set runbook_hash = :runbookHash, state = :state, answers = cast(:answers as jsonb),
					  outcome = :outcome, partial_steps = cast(:partial as jsonb), decision_reason = :reason, plan_hash = :plan,
					  skipped_steps = cast(:skipped as jsonb), lead_unreachable_reason = :lead, summary = :summary,
					  closed_at = :closed, overdue = :overdue, database_key = :databaseKey, commander = :commander,
					  version = version + 1
					where id = :id and version = :version
					""")
				.param("runbookHash", incident.runbookHash())
				.param("state", incident.state().name())
				.param("answers", this.json.writeValueAsString(incident.answers()))
				.param("outcome", (incident.outcome() != null) ? incident.outcome().name() : null)
				.param("partial", this.json.writeValueAsString(incident.partialSteps()))
				.param("reason", incident.decisionReason())
				.param("plan", incident.planHash())
				.param("skipped", this.json.writeValueAsString(incident.skippedSteps()))
				.param("lead", incident.leadUnreachableReason())
				.param("summary", incident.summary())
				.param("closed", timestamp(incident.closedAt()))
				.param("overdue", incident.overdue())
				.param("databaseKey", incident.databaseKey())
				.param("commander", incident.commander())
				.param("id", incident.id())
				.param("version", incident.version())
				.update();
		}
		catch (org.springframework.dao.DuplicateKeyException ex) {
			throw new IncidentRefused("Another incident holds this target's database: one incident runs on a database at a time.");
		}
		if (updated != 1) {
			throw new IncidentChanged(incident.id());
		}
		return get(incident.id());
	}

	/**
	 * The other incident that holds the database {@code databaseKey} (or, before its key is known,
	 * the target {@code targetId}) from approval to its end.
	 */
	java.util.Optional<Incident> holding(String databaseKey, long targetId, long except) {
		return this.jdbc.sql("""
				select * from incident
				where state in ('APPROVED', 'EXECUTING', 'HALTED', 'VERIFYING') and id <> :except
				  and coalesce(database_key, 'target ' || target_id) = coalesce(:key, 'target ' || :target)
				limit 1
				""").param("key", databaseKey).param("target", targetId).param("except", except).query(this::map).optional();
	}

	void offerCommand(long id, String to, String by, Instant at) {
		this.jdbc.sql("""
				insert into command_offer (incident_id, offered_to, offered_by, offered_at) values (:id, :to, :by, :at)
				on conflict (incident_id) do update set offered_to = :to, offered_by = :by, offered_at = :at
				""").param("id", id).param("to", to).param("by", by).param("at", Timestamp.from(at)).update();
	}

	java.util.Optional<String> commandOfferedTo(long id) {
		return this.jdbc.sql("select offered_to from command_offer where incident_id = :id").param("id", id)
			.query(String.class)
			.optional();
	}

	void withdrawCommandOffer(long id) {
		this.jdbc.sql("delete from command_offer where incident_id = :id").param("id", id).update();
	}

	void markOverdue(long id) {
		this.jdbc.sql("update incident set overdue = true, version = version + 1 where id = :id and not overdue")
			.param("id", id)
			.update();
	}

	/** Incidents whose decision deadline passed before a decision was made, not yet marked. */
	List<Long> newlyOverdue(Instant now) {
		return this.jdbc.sql("""
				update incident set overdue = true, version = version + 1
				where not overdue and deadline_at < :now and state in ('TRIAGE', 'PRECHECK', 'AWAITING_APPROVAL')
				returning id
				""").param("now", Timestamp.from(now)).query(Long.class).list();
	}

	/** Marks, once, incidents whose decision deadline comes within {@code warning} and has not passed. */
	List<Long> newlyNearingDeadline(Instant now, java.time.Duration warning) {
		return this.jdbc.sql("""
				update incident set deadline_warned = true
				where not deadline_warned and not overdue and deadline_at >= :now and deadline_at < :soon
				  and state in ('TRIAGE', 'PRECHECK', 'AWAITING_APPROVAL')
				returning id
				""").param("now", Timestamp.from(now)).param("soon", Timestamp.from(now.plus(warning))).query(Long.class).list();
	}

	private Incident map(ResultSet rs, int row) throws SQLException {
		String outcome = rs.getString("outcome");
		return new Incident(rs.getLong("id"), rs.getString("runbook_id"), rs.getString("runbook_hash"),
				rs.getString("runbook_title"), rs.getLong("target_id"), rs.getString("commander"), rs.getString("symptom"),
				Severity.valueOf(rs.getString("severity")), instant(rs, "detected_at"), instant(rs, "opened_at"),
				instant(rs, "deadline_at"), rs.getBoolean("overdue"), IncidentState.valueOf(rs.getString("state")),
				this.json.readValue(rs.getString("answers"), new TypeReference<List<Answer>>() {
				}), (outcome != null) ? Outcome.valueOf(outcome) : null,
				this.json.readValue(rs.getString("partial_steps"), new TypeReference<List<String>>() {
				}), rs.getString("decision_reason"), rs.getString("plan_hash"),
				this.json.readValue(rs.getString("skipped_steps"), new TypeReference<List<String>>() {
				}), rs.getString("lead_unreachable_reason"), rs.getString("summary"), instant(rs, "closed_at"),
				rs.getString("database_key"), rs.getInt("version"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp value = rs.getTimestamp(column);
		return (value != null) ? value.toInstant() : null;
	}

	private static Timestamp timestamp(Instant instant) {
		return (instant != null) ? Timestamp.from(instant) : null;
	}


}
