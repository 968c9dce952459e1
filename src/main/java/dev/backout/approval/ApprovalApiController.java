package dev.backout.approval;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import dev.backout.security.Role;

import dev.backout.system.InputTooLong;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/approvals")
@Tag(name = "Approvals", description = "Approve or reject an incident's plan")
class ApprovalApiController {

	private final Approvals approvals;

	ApprovalApiController(Approvals approvals) {
		this.approvals = approvals;
	}

	/**
	 * @param password always required with a token (freshness belongs to a signed-in session)
	 * @param planHash the plan reviewed ({@code planHash} of {@code GET /api/incidents/{id}})
	 * @param runbookVersion the runbook version reviewed ({@code runbookVersion} there)
	 * @param skipping the steps asked to be skipped that were reviewed ({@code skippedSteps} there)
	 */
	record DecisionRequest(Role role, String comment, String password, String planHash, String runbookVersion,
			List<String> skipping) {

		Reviewed reviewed() {
			return new Reviewed(this.planHash, this.runbookVersion, this.skipping);
		}

	}

	record Result(boolean approved, int counted, int needed) {
	}

	/**
	 * A request waiting for you: what the approvers' queue shows.
	 *
	 * @param yourRoles the roles in which you may decide it now
	 */
	record Waiting(long incidentId, String runbookId, String runbookTitle, String targetName, String commander,
			java.time.Instant requestedAt, java.time.Instant deadlineAt, List<Role> approvers, int approvalsNeeded,
			List<Role> yourRoles, String review) {
	}

	@GetMapping
	@PreAuthorize("hasAnyRole('TEAM_LEAD', 'CTO', 'ON_CALL', 'COMMANDER', 'ADMIN')")
	@Operation(summary = "The approval requests waiting for you, oldest deadline first",
			description = "review is the page to read before deciding; GET /api/incidents/{id} names the plan to approve.")
	List<Waiting> queue(Authentication user) {
		return this.approvals.queueFor(user).stream()
			.map((request) -> new Waiting(request.incidentId(), request.runbookId(), request.runbookTitle(), request.targetName(),
					request.commander(), request.requestedAt(), request.deadlineAt(), request.approvers(), request.approvalsNeeded(),
					this.approvals.eligibleRoles(request, user), "/approvals/" + request.incidentId()))
			.toList();
	}

	@PostMapping("/{incidentId}/approve")
	@PreAuthorize("hasAnyRole('TEAM_LEAD', 'CTO', 'ON_CALL', 'COMMANDER', 'ADMIN')")
	@Operation(summary = "Approve the incident's current plan in one of your roles")
	Result approve(@PathVariable long incidentId, @RequestBody DecisionRequest request, Authentication user) {
		return result(this.approvals.decide(incidentId, user, request.role(), Approval.Decision.APPROVED, request.comment(),
				request.password(), request.reviewed()));
	}

	@PostMapping("/{incidentId}/reject")
	@PreAuthorize("hasAnyRole('TEAM_LEAD', 'CTO', 'ON_CALL', 'COMMANDER', 'ADMIN')")
	@Operation(summary = "Reject the incident's current plan")
	Result reject(@PathVariable long incidentId, @RequestBody DecisionRequest request, Authentication user) {
		return result(this.approvals.decide(incidentId, user, request.role(), Approval.Decision.REJECTED, request.comment(),
				request.password(), request.reviewed()));
	}

	private static Result result(ApprovalGate.Status status) {
		return new Result(status.approved(), status.counted().size(), status.needed());
	}

	/** A field over its limit: 400, naming the field. */
	@ExceptionHandler(InputTooLong.class)
	ProblemDetail tooLong(InputTooLong ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setTitle("Too long");
		return problem;
	}

	@ExceptionHandler(ApprovalRefused.class)
	ProblemDetail refused(ApprovalRefused ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
		problem.setTitle("Refused");
		return problem;
	}

}
