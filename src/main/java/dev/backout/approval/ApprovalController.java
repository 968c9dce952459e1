package dev.backout.approval;

import java.util.List;

import dev.backout.security.Role;
import dev.backout.system.InputTooLong;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The approvers' pages: the queue, and the review of one request with approve and reject.
 */
@Controller
@RequestMapping("/approvals")
class ApprovalController {

	private final Approvals approvals;

	ApprovalController(Approvals approvals) {
		this.approvals = approvals;
	}

	@GetMapping
	String queue(Authentication user, Model model) {
		model.addAttribute("requests", this.approvals.queueFor(user)
			.stream()
			.map((request) -> new Waiting(request, this.approvals.review(request.review())))
			.toList());
		return "approval/queue";
	}

	/** The count in the navigation, refreshed by itself. */
	@GetMapping("/count")
	String count(Authentication user, Model model) {
		return "fragments/approvalCount :: approvalCount";
	}

	/** A request in the queue with what its review says, for the table. */
	record Waiting(ApprovalRequest request, Review review) {
	}

	@GetMapping("/{incidentId}")
	String review(@PathVariable long incidentId, Authentication user, Model model) {
		ApprovalRequest request = this.approvals.find(incidentId)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No approval request for incident " + incidentId));
		model.addAttribute("request", request);
		model.addAttribute("review", this.approvals.review(request.review()));
		model.addAttribute("changes", this.approvals.changesSincePreviousRequest(request));
		model.addAttribute("status", this.approvals.status(incidentId).orElseThrow());
		model.addAttribute("decisions", this.approvals.decisions(incidentId));
		model.addAttribute("eligibleRoles", this.approvals.eligibleRoles(request, user));
		boolean stale = this.approvals.needsPassword(user);
		java.util.Optional<String> provider = this.approvals.signInAgainAt(user);
		model.addAttribute("needsPassword", stale && provider.isEmpty());
		model.addAttribute("signInAgainAt", stale ? provider.orElse(null) : null);
		return "approval/review";
	}

	@PostMapping("/{incidentId}")
	@PreAuthorize("hasAnyRole('TEAM_LEAD', 'CTO', 'ON_CALL', 'COMMANDER', 'ADMIN')")
	String decide(@PathVariable long incidentId, @RequestParam Approval.Decision decision, @RequestParam Role role,
			@RequestParam String comment, @RequestParam(required = false) String password,
			@RequestParam(required = false) String planHash, @RequestParam(required = false) String runbookVersion,
			@RequestParam(required = false) List<String> skipping, Authentication user, RedirectAttributes redirect) {
		try {
			ApprovalGate.Status status = this.approvals.decide(incidentId, user, role, decision, comment, password,
					new Reviewed(planHash, runbookVersion, skipping));
			if (decision == Approval.Decision.REJECTED) {
				redirect.addFlashAttribute("warning",
						"Rejected: nothing runs. The commander sees your comment and may revise the plan or abort.");
			}
			else {
				redirect.addFlashAttribute("message", status.approved() ? "Approved: the incident may execute."
						: "Approval recorded; " + status.missing() + " more needed.");
			}
		}
		catch (ApprovalRefused | InputTooLong ex) {
			redirect.addFlashAttribute("error", ex.getMessage());
			redirect.addFlashAttribute("comment", comment); // typed with care; a wrong password must not cost it
		}
		return "redirect:/approvals/" + incidentId;
	}

}
