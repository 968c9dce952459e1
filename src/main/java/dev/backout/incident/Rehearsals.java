package dev.backout.incident;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Rehearsal;
import dev.backout.execution.Rehearser;
import dev.backout.runbook.Authorization;
import dev.backout.runbook.Runbook;
import dev.backout.target.Target;
import dev.backout.target.TargetException;
import dev.backout.target.Targets;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;

/**
 * Rehearsing an incident's plan before approval is requested, and the policy that may require
 * it: a runbook can ask for a passing rehearsal, and so do targets in the environments
 * {@code backout.rehearsal.required-for} names (production by default). The commander may request
 * approval without one by giving a reason, which the approvers read.
 */
@Service
public class Rehearsals {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Incidents incidents;

	private final IncidentRepository repository;

	private final Targets targets;

	private final Rehearser rehearser;

	private final RehearsalProperties properties;

	private final JdbcClient jdbc;

	private final Clock clock;

	Rehearsals(Incidents incidents, IncidentRepository repository, Targets targets, Rehearser rehearser,
			RehearsalProperties properties, JdbcClient jdbc, Clock clock) {
		this.incidents = incidents;
		this.repository = repository;
		this.targets = targets;
		this.rehearser = rehearser;
		this.properties = properties;
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * Whether approval needs a passing rehearsal first, and how recent.
	 *
	 * @param why who asks for it, in words (null when nobody does)
	 */
	public record Policy(boolean required, Duration within, String why) {
	}

	/**
	 * Rehearses the incident's plan on {@code targetId} (its own target when null), which must be
	 * in the incident target's alias group: after the decision, before approval is requested.
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public Rehearsal rehearse(long id, Long targetId, Authentication actor) {
		Incident incident = this.incidents.get(id);
		incident.requireCommander(actor.getName());
		incident.requireState(IncidentState.PRECHECK, "A plan is rehearsed after the decision and before approval is requested.");
		ExecutionPlan plan = this.incidents.plan(incident).orElseThrow();
		Target own = this.targets.get(incident.targetId());
		Target on = (targetId == null || targetId == own.id()) ? own : this.targets.get(targetId);
		if (!on.aliasGroup().equals(own.aliasGroup())) {
			throw new IncidentRefused("A plan is rehearsed on a target of its own alias group (" + own.aliasGroup() + "); "
					+ on.name() + " belongs to '" + on.aliasGroup() + "'.");
		}
		refuseWhileAnIncidentHolds(id, on);
		Rehearsal rehearsal = this.rehearser.rehearse(id, plan, on, this.properties.lockTimeout());
		this.jdbc.sql("""
				insert into rehearsal (incident_id, plan_hash, passed, rehearsed_by, started_at, content)
				values (:incident, :plan, :passed, :by, :at, cast(:content as jsonb))""")
			.param("incident", id)
			.param("plan", rehearsal.planHash())
			.param("passed", rehearsal.passed())
			.param("by", actor.getName())
			.param("at", Timestamp.from(rehearsal.startedAt()))
			.param("content", JSON.writeValueAsString(rehearsal))
			.update();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("planHash", rehearsal.planHash());
		details.put("target", rehearsal.targetName());
		details.put("passed", rehearsal.passed());
		details.put("result", rehearsal.summary());
		this.incidents.audit(actor, "PLAN_REHEARSED", id, details);
		return rehearsal;
	}

	/** The incident's latest rehearsal, whatever its plan. */
	public Optional<Rehearsal> latest(long incidentId) {
		return this.jdbc.sql("select content from rehearsal where incident_id = :id order by id desc limit 1")
			.param("id", incidentId)
			.query(String.class)
			.optional()
			.map(Rehearsals::read);
	}

	/** The latest passing rehearsal of exactly this plan since {@code since}. */
	Optional<Rehearsal> passed(long incidentId, String planHash, Instant since) {
		return this.jdbc.sql("""
				select content from rehearsal
				where incident_id = :id and plan_hash = :plan and passed and started_at >= :since
				order by id desc limit 1""")
			.param("id", incidentId)
			.param("plan", planHash)
			.param("since", Timestamp.from(since))
			.query(String.class)
			.optional()
			.map(Rehearsals::read);
	}

	/** What the runbook and the target's environment ask for. */
	public Policy policy(Runbook runbook, Target target) {
		Authorization.Rehearsal rule = runbook.authorization().rehearsal();
		Duration within = (rule != null && rule.within() != null) ? rule.withinDuration() : this.properties.within();
		if (rule != null && Boolean.TRUE.equals(rule.required())) {
			return new Policy(true, within, "The runbook requires a passing rehearsal of the plan");
		}
		if (this.properties.requiredFor().contains(target.environment())) {
			return new Policy(true, within, "Targets in " + target.environment().name().toLowerCase()
					+ " require a passing rehearsal of the plan");
		}
		return new Policy(false, within, null);
	}

	/** The targets a commander may rehearse on: the incident target's alias group. */
	public List<Target> candidates(Target own) {
		return this.targets.all().stream().filter((target) -> target.aliasGroup().equals(own.aliasGroup())).toList();
	}

	static Rehearsal read(String json) {
		return JSON.readValue(json, Rehearsal.class);
	}

	/** A rehearsal takes the same locks as the real run: never on a database another incident executes on. */
	private void refuseWhileAnIncidentHolds(long id, Target on) {
		String databaseKey;
		try {
			databaseKey = this.targets.databaseKey(on);
		}
		catch (TargetException ex) {
			throw new IncidentRefused(ex.getMessage());
		}
		this.repository.holding(databaseKey, on.id(), id).ifPresent((holder) -> {
			throw new IncidentRefused("Incident " + holder.id() + " (" + holder.state().label().toLowerCase() + ") holds the database of "
					+ on.name() + ": a rehearsal would take its locks. Rehearse on another target of the group, or later.");
		});
	}

}
