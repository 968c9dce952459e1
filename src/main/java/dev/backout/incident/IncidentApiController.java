package dev.backout.incident;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import dev.backout.approval.ApprovalRefused;
import dev.backout.execution.ConsoleDatabaseUnavailable;
import dev.backout.execution.ExecutionRefused;
import dev.backout.execution.Executions;
import dev.backout.execution.Rehearsal;
import dev.backout.execution.OutcomeNotRecorded;
import dev.backout.execution.StepRun;
import dev.backout.execution.TargetUnreachable;

import dev.backout.system.InputTooLong;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The incident workflow as JSON, for scripts and chat bots, with a personal API token. The same
 * service methods as the pages, so the same rules: roles, state machine, versions, the gate.
 */
@RestController
@RequestMapping("/api/incidents")
@Tag(name = "Incidents", description = "Open, decide, check, request approval, execute, verify and close")
class IncidentApiController {

	private final Incidents incidents;

	private final IncidentApprovals approvalRequests;

	private final IncidentSteps steps;

	private final Rehearsals rehearsals;

	private final Executions executions;

	private final CommandHandover handover;

	IncidentApiController(Incidents incidents, IncidentApprovals approvalRequests, IncidentSteps steps, Rehearsals rehearsals,
			Executions executions, CommandHandover handover) {
		this.rehearsals = rehearsals;
		this.incidents = incidents;
		this.approvalRequests = approvalRequests;
		this.steps = steps;
		this.executions = executions;
		this.handover = handover;
	}

	record OpenRequest(String runbookId, long targetId, String symptom, Severity severity, Instant detectedAt) {
	}

	record AnswerRequest(int version, String questionId, String answer) {
	}

	record VersionedRequest(int version, String reason, String confirmation) {
	}

	record StepRequest(String confirmation, Map<String, String> inputs) {
	}

	record CloseRequest(int version, String summary) {
	}

	record SkipRequest(int version, String step, String reason) {
	}

	/** @param applied required: whether the target holds the step's change */
	record SettleRequest(Boolean applied, String reason) {
	}

	record Cancellation(String result) {
	}

	record CommandOffer(String to) {
	}

	/** The incident and its journal, as a client polls it. */
	/** @param planHash, runbookVersion and skippedSteps: what an approver names to approve this plan */
	record Status(long id, String runbookId, String runbookVersion, String state, int version, boolean overdue,
			Instant deadlineAt, String outcome, String planHash, List<String> skippedSteps, String nextStep,
			List<StepRun> journal) {
	}

	/** One incident in a list: what the history page shows per row. */
	record Summary(long id, String runbookId, String runbookTitle, long targetId, String state, String severity,
			String commander, Instant openedAt, Instant deadlineAt, boolean overdue, String outcome) {

		static Summary of(Incident incident) {
			return new Summary(incident.id(), incident.runbookId(), incident.runbookTitle(), incident.targetId(),
					incident.state().name(), incident.severity().name(), incident.commander(), incident.openedAt(),
					incident.deadlineAt(), incident.overdue(), (incident.outcome() != null) ? incident.outcome().name() : null);
		}

	}

	/** @param nextBefore pass as {@code before} for the next page; null on the last one */
	record Listing(List<Summary> incidents, Long nextBefore) {
	}

	static final int PAGE = 50;

	@GetMapping
	@Operation(summary = "List and search incidents, newest first, 50 a page",
			description = "Filters as on the history page: from, to (dates), runbook, target (id), state, person, before (an id).")
	Listing list(@org.springdoc.core.annotations.ParameterObject HistoryFilter filter) {
		List<Incident> page = this.incidents.search(filter, PAGE + 1);
		List<Summary> shown = page.stream().limit(PAGE).map(Summary::of).toList();
		return new Listing(shown, (page.size() > PAGE) ? shown.get(PAGE - 1).id() : null);
	}

	@PostMapping
	@Operation(summary = "Start an incident (COMMANDER)")
	ResponseEntity<Status> open(@RequestBody OpenRequest request, Authentication user) {
		Incident incident = this.incidents.open(new Incidents.Opening(request.runbookId(), request.targetId(), request.symptom(),
				(request.severity() != null) ? request.severity() : Severity.SEV2, request.detectedAt()), user);
		return ResponseEntity.created(URI.create("/api/incidents/" + incident.id())).body(status(incident.id()));
	}

	@GetMapping("/{id}")
	@Operation(summary = "The incident's state, version, next step and journal")
	Status get(@PathVariable long id) {
		return status(id);
	}

	@PostMapping("/{id}/answers")
	@Operation(summary = "Answer (or change the answer to) a decision question")
	Status answer(@PathVariable long id, @RequestBody AnswerRequest request, Authentication user) {
		this.incidents.answer(id, request.version(), request.questionId(), request.answer(), user);
		return status(id);
	}

	@PostMapping("/{id}/decision")
	@Operation(summary = "Confirm the decision the answers reached (a reason closes FIX_FORWARD/CONTINUE)")
	Status decide(@PathVariable long id, @RequestBody VersionedRequest request, Authentication user) {
		this.incidents.confirmDecision(id, request.version(), request.reason(), user);
		return status(id);
	}

	@PostMapping("/{id}/prechecks")
	@Operation(summary = "Run the pre-checks (read-only)")
	List<StepRun> prechecks(@PathVariable long id, Authentication user) {
		return this.steps.runPrechecks(id, user);
	}

	@PostMapping("/{id}/lead-unreachable")
	@Operation(summary = "Record that the team lead is unreachable (lets the fallback role approve)")
	Status leadUnreachable(@PathVariable long id, @RequestBody VersionedRequest request, Authentication user) {
		this.approvalRequests.recordLeadUnreachable(id, request.version(), request.reason(), user);
		return status(id);
	}

	@PostMapping("/{id}/approval-request")
	@Operation(summary = "Ask for approval of the plan", description = "reason: why approval is asked without the "
			+ "rehearsal the runbook or the target's environment requires (the approvers read it)")
	Status requestApproval(@PathVariable long id, @RequestBody VersionedRequest request, Authentication user) {
		this.approvalRequests.requestApproval(id, request.version(), request.reason(), user);
		return status(id);
	}

	/** @param target where to rehearse (a target of the incident's alias group; its own when absent) */
	record RehearsalRequest(Long target) {
	}

	@PostMapping("/{id}/rehearsal")
	@Operation(summary = "Rehearse the plan: every transactional step in one target transaction that is rolled back")
	Rehearsal rehearse(@PathVariable long id, @RequestBody(required = false) RehearsalRequest request, Authentication user) {
		return this.rehearsals.rehearse(id, (request != null) ? request.target() : null, user);
	}

	@PostMapping("/{id}/steps/{stepId}")
	@Operation(summary = "Run (or tick) the next step; destructive steps need the confirmation text")
	StepRun runStep(@PathVariable long id, @PathVariable String stepId, @RequestBody(required = false) StepRequest request,
			Authentication user) {
		StepRequest body = (request != null) ? request : new StepRequest(null, Map.of());
		Map<String, String> inputs = (body.inputs() != null) ? body.inputs() : Map.of();
		return this.steps.runStep(id, stepId, body.confirmation(), inputs, user);
	}

	@PostMapping("/{id}/verification")
	@Operation(summary = "Run the rest of the current phase (e.g. the verification checks)")
	List<StepRun> verify(@PathVariable long id, Authentication user) {
		return this.steps.runRestOfPhase(id, user);
	}

	@PostMapping("/{id}/revise")
	@Operation(summary = "After a rejection, go back to the decision (answers kept) to revise the plan and request approval again")
	Incident revise(@PathVariable long id, @RequestBody VersionedRequest request, Authentication user) {
		return this.approvalRequests.revise(id, request.version(), user);
	}

	@PostMapping("/{id}/retry")
	@Operation(summary = "Retry the step that halted the incident (settles a lost outcome first; never resends a committed step); a destructive step needs its confirmation again")
	StepRun retry(@PathVariable long id, @RequestBody VersionedRequest request, Authentication user) {
		return this.steps.retry(id, request.version(), request.confirmation(), user);
	}

	@PostMapping("/{id}/skip")
	@Operation(summary = "Ask to skip the failed step (needs a reason and a fresh approval)")
	Status skip(@PathVariable long id, @RequestBody SkipRequest request, Authentication user) {
		this.approvalRequests.requestSkip(id, request.version(), request.step(), request.reason(), user);
		return status(id);
	}

	@PostMapping("/{id}/runs/{runId}/settle")
	@Operation(summary = "Settle by hand a step whose outcome is unknown (applied or not, with the reason)")
	StepRun settle(@PathVariable long id, @PathVariable long runId, @RequestBody SettleRequest request,
			Authentication user) {
		if (request.applied() == null) {
			throw new IncidentRefused("Say whether the target holds the step: \"applied\": true or false.");
		}
		return this.steps.settleStep(id, runId, request.applied(), request.reason(), user);
	}

	@PostMapping("/{id}/evidence")
	@Operation(summary = "Run the verification checks read-only now, to help settle a step by hand")
	List<Executions.Evidence> evidence(@PathVariable long id, Authentication user) {
		return this.steps.evidence(id, user);
	}

	@PostMapping("/{id}/cancel")
	@Operation(summary = "Cancel the running step's statement")
	Cancellation cancel(@PathVariable long id, Authentication user) {
		return new Cancellation(this.steps.cancel(id, user));
	}

	@PostMapping("/{id}/command/offer")
	@Operation(summary = "Offer command of the incident to another person (the commander only)")
	Status offerCommand(@PathVariable long id, @RequestBody CommandOffer request, Authentication user) {
		this.handover.offer(id, request.to(), user);
		return status(id);
	}

	@PostMapping("/{id}/command/accept")
	@Operation(summary = "Accept command offered to you; from then on only you drive the incident")
	Status acceptCommand(@PathVariable long id, @RequestBody VersionedRequest request, Authentication user) {
		this.handover.accept(id, request.version(), user);
		return status(id);
	}

	@PostMapping("/{id}/close")
	@Operation(summary = "Close a verified incident as completed, with a summary")
	Status close(@PathVariable long id, @RequestBody CloseRequest request, Authentication user) {
		this.incidents.close(id, request.version(), request.summary(), user);
		return status(id);
	}

	@PostMapping("/{id}/abort")
	@Operation(summary = "Abort an incident that is not executing")
	Status abort(@PathVariable long id, @RequestBody VersionedRequest request, Authentication user) {
		this.incidents.abort(id, request.version(), request.reason(), user);
		return status(id);
	}

	private Status status(long id) {
		List<StepRun> journal = this.executions.journal(id);
		if (this.executions.settleSeen(id, journal)) {
			journal = this.executions.journal(id);
		}
		Incident incident = this.incidents.get(id);
		var next = this.incidents.plan(incident).flatMap((plan) -> this.executions.next(id, plan));
		return new Status(incident.id(), incident.runbookId(), incident.runbookHash(), incident.state().name(),
				incident.version(), incident.overdue(), incident.deadlineAt(),
				(incident.outcome() != null) ? incident.outcome().name() : null, incident.planHash(), incident.skippedSteps(),
				next.map((step) -> step.stepId()).orElse(null), journal);
	}

	/**
	 * Refusals are 409 Conflict with the plain-words reason. An unreachable target or console
	 * database is 503 (the same request may succeed later); so is an outcome the console could not
	 * record yet, which its detail explains and the incident's status will show once settled.
	 */
	/** A field over its limit: 400, naming the field. */
	@ExceptionHandler(InputTooLong.class)
	ProblemDetail tooLong(InputTooLong ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setTitle("Too long");
		return problem;
	}

	@ExceptionHandler({ IncidentRefused.class, ExecutionRefused.class, ApprovalRefused.class })
	ProblemDetail refused(RuntimeException ex) {
		boolean unavailable = ex instanceof TargetUnreachable || ex instanceof OutcomeNotRecorded
				|| ex instanceof ConsoleDatabaseUnavailable;
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(unavailable ? HttpStatus.SERVICE_UNAVAILABLE
				: HttpStatus.CONFLICT, ex.getMessage());
		problem.setTitle(unavailable ? "Unavailable" : "Refused");
		return problem;
	}



}
