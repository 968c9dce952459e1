package dev.backout.approval;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import dev.backout.database.ConsoleQuery;
import dev.backout.runbook.Authorization;
import dev.backout.security.Reauthentication;
import dev.backout.security.Role;
import dev.backout.system.InputTooLong;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Approval requests and decisions. Every decision is checked here, on the server, whatever the
 * path (page or API): the role must be held and count for the runbook, the commander never
 * approves their own incident, a stale sign-in must give the password again, and the approval is
 * bound to the runbook version and plan it saw.
 */
@Service
public class Approvals {

	private final JdbcClient jdbc;

	private final AuditTrail trail;

	private final Reauthentication reauthentication;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final JsonMapper json = JsonMapper.builder().build();

	private final TransactionTemplate requiresNew;

	Approvals(JdbcClient jdbc, AuditTrail trail, Reauthentication reauthentication, ApplicationEventPublisher events,
			Clock clock, PlatformTransactionManager transactions) {
		this.requiresNew = new TransactionTemplate(transactions);
		this.requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.jdbc = jdbc;
		this.trail = trail;
		this.reauthentication = reauthentication;
		this.events = events;
		this.clock = clock;
	}

	/** What the incident asks to have approved. */
	public record RequestSpec(long incidentId, String runbookId, String runbookTitle, String runbookHash,
			String approvalKey, String targetName, String commander, Instant clockStartedAt, Instant deadlineAt,
			Authorization authorization, String leadUnreachableReason, Review review) {
	}

	/** Opens (or re-opens, for a changed plan) the incident's request, in the caller's transaction. */
	@Transactional
	public void request(RequestSpec spec, Authentication actor) {
		Authorization rule = spec.authorization();
		this.jdbc.sql("""
				insert into approval_request (incident_id, runbook_id, runbook_title, runbook_hash, approval_key, target_name,
				  commander, requested_at, clock_started_at, deadline_at, approvers, approvals_needed, fallback_role,
				  fallback_share, commander_may_approve, lead_unreachable_reason, review, status)
				values (:incident, :runbookId, :title, :runbookHash, :key, :target, :commander, :now, :started, :deadline,
				  cast(:approvers as jsonb), :needed, :fallbackRole, :fallbackShare, :commanderMayApprove, :leadUnreachable,
				  cast(:review as jsonb), 'OPEN')
				on conflict (incident_id) do update set runbook_hash = excluded.runbook_hash, approval_key = excluded.approval_key,
				  requested_at = excluded.requested_at, lead_unreachable_reason = excluded.lead_unreachable_reason,
				  previous_review = approval_request.review, review = excluded.review, status = 'OPEN'
				""")
			.param("incident", spec.incidentId())
			.param("runbookId", spec.runbookId())
			.param("title", spec.runbookTitle())
			.param("runbookHash", spec.runbookHash())
			.param("key", spec.approvalKey())
			.param("target", spec.targetName())
			.param("commander", spec.commander())
			.param("now", Timestamp.from(this.clock.instant()))
			.param("started", Timestamp.from(spec.clockStartedAt()))
			.param("deadline", (spec.deadlineAt() != null) ? Timestamp.from(spec.deadlineAt()) : null)
			.param("approvers", this.json.writeValueAsString(rule.approvers()))
			.param("needed", rule.approvals())
			.param("fallbackRole", (rule.fallback() != null) ? rule.fallback().role().name() : null)
			.param("fallbackShare", (rule.fallback() != null) ? rule.fallback().afterDeadlineShare() : null)
			.param("commanderMayApprove", rule.commanderMayApprove())
			.param("leadUnreachable", spec.leadUnreachableReason())
			.param("review", this.json.writeValueAsString(spec.review()))
			.update();
		this.trail.record(AuditEntry.by(actor, "APPROVAL_REQUESTED", Map.of("approvalKey", spec.approvalKey(),
				"runbookVersion", spec.runbookHash(), "planHash", spec.review().planHash(), "skipping", spec.review().skipping()))
			.forIncident(spec.incidentId()));
	}

	/** Closes an open request that no longer applies (plan changed, incident aborted). */
	@Transactional
	public void withdraw(long incidentId, Authentication actor, String reason) {
		int updated = this.jdbc.sql("update approval_request set status = 'WITHDRAWN' where incident_id = :id and status in ('OPEN', 'APPROVED')")
			.param("id", incidentId)
			.update();
		if (updated == 1) {
			this.trail.record(AuditEntry.by(actor, "APPROVAL_REQUEST_WITHDRAWN", Map.of("reason", reason)).forIncident(incidentId));
		}
	}

	@Transactional
	public void leadUnreachable(long incidentId, String reason) {
		this.jdbc.sql("update approval_request set lead_unreachable_reason = :reason where incident_id = :id")
			.param("reason", reason)
			.param("id", incidentId)
			.update();
	}

	@Transactional(readOnly = true)
	public Optional<ApprovalRequest> find(long incidentId) {
		return this.jdbc.sql("select r.*, " + DRIVERS + " from approval_request r where incident_id = :id")
			.param("id", incidentId)
			.param("driving", DRIVING_ACTIONS)
			.query(this::map)
			.optional();
	}

	/**
	 * The request, its decisions and where the gate stands, in one statement: the incident page
	 * reads it on every view and poll, sent with its other selects ({@link dev.backout.database.OneTrip}).
	 */
	public ConsoleQuery<Optional<ApprovalView>> viewQuery(long incidentId) {
		return ConsoleQuery.optional(VIEW, Map.of("id", incidentId, "driving", DRIVING_ACTIONS), this::mapView);
	}

	private ApprovalView mapView(ResultSet rs, int row) throws SQLException {
		ApprovalRequest request = map(rs, row);
		List<Approval> decisions = this.json.readValue(rs.getString("decisions"), new TypeReference<List<Approval>>() {
		});
		return new ApprovalView(request, decisions, ApprovalGate.evaluate(request, decisions, this.clock.instant()));
	}

	/**
	 * @param status where the gate stands for the request as it is now
	 */
	public record ApprovalView(ApprovalRequest request, List<Approval> decisions, ApprovalGate.Status status) {

		/** The same answer as {@link Approvals#approvedFor}, from what was read. */
		public boolean approvedFor(String runbookHash, String approvalKey) {
			return this.request.status() == ApprovalRequest.Status.APPROVED && this.request.runbookHash().equals(runbookHash)
					&& this.request.approvalKey().equals(approvalKey) && this.status.approved();
		}

	}

	@Transactional(readOnly = true)
	public List<Approval> decisions(long incidentId) {
		return this.jdbc.sql("select * from approval where incident_id = :id order by id").param("id", incidentId).query(Approvals::mapApproval).list();
	}

	@Transactional(readOnly = true)
	public Optional<ApprovalGate.Status> status(long incidentId) {
		return find(incidentId).map((request) -> ApprovalGate.evaluate(request, decisions(incidentId), this.clock.instant()));
	}

	/**
	 * The gate, asked again before every step that touches the target: approved, for exactly
	 * this runbook version and approval key.
	 */
	@Transactional(readOnly = true)
	public boolean approvedFor(long incidentId, String runbookHash, String approvalKey) {
		return find(incidentId).filter((r) -> r.status() == ApprovalRequest.Status.APPROVED)
			.filter((r) -> r.runbookHash().equals(runbookHash) && r.approvalKey().equals(approvalKey))
			.map((r) -> ApprovalGate.evaluate(r, decisions(incidentId), this.clock.instant()).approved())
			.orElse(false);
	}

	/** Open requests {@code user} may decide on now, oldest first (two queries, whatever their number). */
	@Transactional(readOnly = true)
	public List<ApprovalRequest> queueFor(Authentication user) {
		Map<Long, List<Approval>> decisions = this.jdbc.sql("""
				select a.* from approval a join approval_request r on r.incident_id = a.incident_id
				where r.status = 'OPEN' order by a.id
				""").query(Approvals::mapApproval).list().stream().collect(Collectors.groupingBy(Approval::incidentId));
		return this.jdbc.sql("select r.*, " + DRIVERS + " from approval_request r where status = 'OPEN' order by requested_at")
			.param("driving", DRIVING_ACTIONS)
			.query(this::map)
			.list()
			.stream()
			.filter((request) -> !eligibleRoles(request, decisions.getOrDefault(request.incidentId(), List.of()), user).isEmpty())
			.toList();
	}

	/** The roles {@code user} holds in which they may decide on {@code request} now. */
	public List<Role> eligibleRoles(ApprovalRequest request, Authentication user) {
		return eligibleRoles(request, decisions(request.incidentId()), user);
	}

	private List<Role> eligibleRoles(ApprovalRequest request, List<Approval> decisions, Authentication user) {
		boolean fallback = ApprovalGate.fallbackActive(request, decisions, this.clock.instant());
		return heldRoles(user).stream()
			.filter((role) -> ApprovalGate.whyNot(request, user.getName(), role, fallback).isEmpty())
			.toList();
	}

	public boolean needsPassword(Authentication user) {
		return !this.reauthentication.signedInRecently(user);
	}

	/** For a person signed in by the company's provider: where to sign in again before deciding. */
	public java.util.Optional<String> signInAgainAt(Authentication user) {
		return this.reauthentication.signInAgainAt(user);
	}

	/** What changed in the plan since the previous request, as unified lines ("- …", "+ …"). */
	public List<String> changesSincePreviousRequest(ApprovalRequest request) {
		if (request.previousReview() == null) {
			return List.of();
		}
		List<String> before = review(request.previousReview()).statementLines();
		List<String> after = review(request.review()).statementLines();
		return DiffUtils.diff(before, after)
			.getDeltas()
			.stream()
			.flatMap((AbstractDelta<String> delta) -> java.util.stream.Stream.concat(
					delta.getSource().getLines().stream().map((line) -> "- " + line),
					delta.getTarget().getLines().stream().map((line) -> "+ " + line)))
			.toList();
	}

	public Review review(String json) {
		return this.json.readValue(json, new TypeReference<Review>() {
		});
	}

	/** Approves or rejects; publishes the incident's approval or rejection when the gate decides. */
	@Transactional
	public ApprovalGate.Status decide(long incidentId, Authentication user, Role role, Approval.Decision decision,
			String comment, String password, Reviewed reviewed) {
		ApprovalRequest request = find(incidentId)
			.orElseThrow(() -> new ApprovalRefused("Incident " + incidentId + " has not asked for approval."));
		boolean fallback;
		try {
			fallback = admissible(request, user, role, comment, password, reviewed);
		}
		catch (ApprovalRefused refused) {
			// Refused attempts are evidence too, in their own transaction: this one rolls back.
			this.requiresNew.executeWithoutResult((status) -> this.trail.record(AuditEntry.by(user, "APPROVAL_REFUSED",
					Map.of("role", String.valueOf(role), "decision", String.valueOf(decision), "reason", refused.getMessage()))
				.forIncident(incidentId)));
			throw refused;
		}
		this.jdbc.sql("""
				insert into approval (incident_id, approver, role, decision, comment, runbook_hash, approval_key, created_at)
				values (:incident, :approver, :role, :decision, :comment, :runbookHash, :key, :now)
				""")
			.param("incident", incidentId)
			.param("approver", user.getName())
			.param("role", role.name())
			.param("decision", decision.name())
			.param("comment", comment.trim())
			.param("runbookHash", request.runbookHash())
			.param("key", request.approvalKey())
			.param("now", Timestamp.from(this.clock.instant()))
			.update();
		this.trail.record(AuditEntry.by(user, (decision == Approval.Decision.APPROVED) ? "APPROVAL_GIVEN" : "APPROVAL_REJECTED",
				Map.of("role", role.name(), "comment", comment.trim(), "approvalKey", request.approvalKey(), "runbookVersion",
						request.runbookHash(), "planHash", review(request.review()).planHash(), "fallbackActive", fallback))
			.forIncident(incidentId));
		ApprovalGate.Status status = ApprovalGate.evaluate(request, decisions(incidentId), this.clock.instant());
		if (status.rejection().isPresent()) {
			setStatus(incidentId, ApprovalRequest.Status.REJECTED);
			this.events.publishEvent(new IncidentRejected(incidentId, user.getName(), comment.trim()));
		}
		else if (status.approved()) {
			setStatus(incidentId, ApprovalRequest.Status.APPROVED);
			this.events.publishEvent(new IncidentApproved(incidentId, request.approvalKey()));
		}
		return status;
	}

	/**
	 * Every rule an approval must pass before it is recorded, in order: who may decide, on what
	 * exactly, with a fresh sign-in or the password. @return whether the fallback role counts now
	 */
	private boolean admissible(ApprovalRequest request, Authentication user, Role role, String comment, String password,
			Reviewed reviewed) {
		long incidentId = request.incidentId();
		if (!request.open()) {
			throw new ApprovalRefused("This request is " + request.status().name().toLowerCase() + "; there is nothing to decide.");
		}
		if (comment == null || comment.isBlank()) {
			throw new ApprovalRefused("Write a comment: it is part of the incident trail.");
		}
		InputTooLong.atMost(comment, InputTooLong.TEXT, "comment");
		if (role == null || !heldRoles(user).contains(role)) {
			throw new ApprovalRefused("You do not hold the role you chose to approve as.");
		}
		List<Approval> decisions = decisions(incidentId);
		boolean fallback = ApprovalGate.fallbackActive(request, decisions, this.clock.instant());
		ApprovalGate.whyNot(request, user.getName(), role, fallback).ifPresent((why) -> {
			throw new ApprovalRefused(why);
		});
		if (decisions.stream().anyMatch((a) -> a.approver().equals(user.getName()) && a.currentFor(request))) {
			throw new ApprovalRefused("You have already decided on this plan.");
		}
		Reviewed current = Reviewed.of(request, review(request.review()));
		if (!current.equals(reviewed)) {
			throw new ApprovalRefused("You reviewed " + ((reviewed != null) ? reviewed.describe() : "no named plan")
					+ ", but the request is now for " + current.describe()
					+ ". Nothing was recorded: reload the review and decide on what it shows.");
		}
		switch (this.reauthentication.confirm(user, password)) {
			case PASSWORD_NEEDED -> throw new ApprovalRefused("Enter your password: this session signed in more than "
					+ Reauthentication.FRESH_SIGN_IN.toMinutes() + " minutes ago.");
			case WRONG_PASSWORD -> throw new ApprovalRefused("Wrong password: nothing was recorded. Five wrong passwords in a "
					+ "row lock the account for 15 minutes.");
			case SIGN_IN_AGAIN -> throw new ApprovalRefused("Sign in again with your company account: you signed in there more than "
					+ Reauthentication.FRESH_SIGN_IN.toMinutes() + " minutes ago. Nothing was recorded.");
			case CONFIRMED -> {
			}
		}
		return fallback;
	}

	private void setStatus(long incidentId, ApprovalRequest.Status status) {
		this.jdbc.sql("update approval_request set status = :status where incident_id = :id")
			.param("status", status.name())
			.param("id", incidentId)
			.update();
	}

	private static List<Role> heldRoles(Authentication user) {
		return user.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.flatMap((authority) -> java.util.Arrays.stream(Role.values()).filter((r) -> r.authority().equals(authority)))
			.toList();
	}

	/**
	 * Trail actions that drive an incident (a commander's), whoever took them. Refused attempts do
	 * not count: trying and being refused drives nothing.
	 */
	static final String[] DRIVING_ACTIONS = { "INCIDENT_OPENED", "DECISION_ANSWERED", "DECISION_CONFIRMED",
			"TEAM_LEAD_UNREACHABLE", "INCIDENT_AWAITING_APPROVAL", "INCIDENT_EXECUTING", "INCIDENT_RESUMED", "STEP_STARTED",
			"STEP_TICKED", "SKIP_REQUESTED", "RUNBOOK_VERSION_SWITCHED", "STEP_CANCEL_REQUESTED", "STEP_SETTLED",
			"VERIFICATION_EVIDENCE", "INCIDENT_ABORTED", "INCIDENT_COMPLETED", "COMMAND_OFFERED", "COMMAND_ACCEPTED", "INCIDENT_REVISED" };

	/** Everyone who took a driving action on the request's incident, read from the trail. */
	private static final String DRIVERS = """
			coalesce((select jsonb_agg(distinct e.actor) from audit_event e
			          where e.incident_id = r.incident_id and e.action = any(:driving)), '[]'::jsonb)::text as drivers""";

	/** The request's decisions as JSON, shaped like {@link Approval}. */
	private static final String DECISIONS = """
			coalesce((select json_agg(json_build_object('id', a.id, 'incidentId', a.incident_id, 'approver', a.approver,
			            'role', a.role, 'decision', a.decision, 'comment', a.comment, 'runbookHash', a.runbook_hash,
			            'approvalKey', a.approval_key,
			            'createdAt', to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) order by a.id)
			          from approval a where a.incident_id = r.incident_id), '[]')::text as decisions""";

	private static final String VIEW = "select r.*, " + DRIVERS + ", " + DECISIONS + " from approval_request r where incident_id = :id";

	private ApprovalRequest map(ResultSet rs, int row) throws SQLException {
		String fallback = rs.getString("fallback_role");
		Timestamp deadline = rs.getTimestamp("deadline_at");
		java.math.BigDecimal share = rs.getBigDecimal("fallback_share");
		List<Role> approvers = this.json.readValue(rs.getString("approvers"), new TypeReference<List<Role>>() {
		});
		return new ApprovalRequest(rs.getLong("incident_id"), rs.getString("runbook_id"), rs.getString("runbook_title"),
				rs.getString("runbook_hash"), rs.getString("approval_key"), rs.getString("target_name"),
				rs.getString("commander"), rs.getTimestamp("requested_at").toInstant(),
				rs.getTimestamp("clock_started_at").toInstant(), (deadline != null) ? deadline.toInstant() : null, approvers,
				rs.getInt("approvals_needed"), (fallback != null) ? Role.valueOf(fallback) : null,
				(share != null) ? share.doubleValue() : null, rs.getBoolean("commander_may_approve"),
				rs.getString("lead_unreachable_reason"), rs.getString("review"), rs.getString("previous_review"),
				ApprovalRequest.Status.valueOf(rs.getString("status")),
				this.json.readValue(rs.getString("drivers"), new TypeReference<List<String>>() {
				}));
	}

	private static Approval mapApproval(ResultSet rs, int row) throws SQLException {
		return new Approval(rs.getLong("id"), rs.getLong("incident_id"), rs.getString("approver"),
				Role.valueOf(rs.getString("role")), Approval.Decision.valueOf(rs.getString("decision")),
				rs.getString("comment"), rs.getString("runbook_hash"), rs.getString("approval_key"),
				rs.getTimestamp("created_at").toInstant());
	}

}
