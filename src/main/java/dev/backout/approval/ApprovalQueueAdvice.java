package dev.backout.approval;

import org.thymeleaf.context.LazyContextVariable;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * The number of requests waiting for the signed-in approver, shown in the navigation and by its
 * own polled fragment. Counted only when a view renders it: an approver's cockpit polls, other
 * fragments and API calls read no queue.
 */
@ControllerAdvice
class ApprovalQueueAdvice {

	private final Approvals approvals;

	ApprovalQueueAdvice(Approvals approvals) {
		this.approvals = approvals;
	}

	/** Nothing for a person who approves nothing (a value the binder would not even look at). */
	@ModelAttribute("approvalQueueCount")
	LazyContextVariable<Integer> approvalQueueCount(Authentication user) {
		boolean approver = user != null && user.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals("ROLE_TEAM_LEAD")
				|| a.getAuthority().equals("ROLE_CTO") || a.getAuthority().equals("ROLE_ON_CALL"));
		if (!approver) {
			return null;
		}
		return new LazyContextVariable<>() {

			@Override
			protected Integer loadValue() {
				return ApprovalQueueAdvice.this.approvals.queueFor(user).size();
			}

		};
	}

}
