package dev.backout.incident;

import dev.backout.approval.Approvals;
import dev.backout.audit.AuditTrail;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The landing page: what needs the signed-in person now — open incidents for commanders,
 * requests waiting for approvers, recent activity for auditors and admins.
 */
@Controller
class HomeController {

	private static final int RECENT_ACTIVITY = 12;

	private final Incidents incidents;

	private final Approvals approvals;

	private final AuditTrail trail;

	HomeController(Incidents incidents, Approvals approvals, AuditTrail trail) {
		this.incidents = incidents;
		this.approvals = approvals;
		this.trail = trail;
	}

	@GetMapping("/")
	String home(Authentication user, Model model) {
		if (holds(user, "ROLE_COMMANDER")) {
			model.addAttribute("openIncidents", this.incidents.active());
		}
		if (holds(user, "ROLE_TEAM_LEAD") || holds(user, "ROLE_CTO") || holds(user, "ROLE_ON_CALL")) {
			model.addAttribute("waiting", this.approvals.queueFor(user));
		}
		if (holds(user, "ROLE_ADMIN") || holds(user, "ROLE_AUDITOR")) {
			model.addAttribute("recentActivity", this.trail.latest(RECENT_ACTIVITY));
		}
		return "home/index";
	}

	private static boolean holds(Authentication user, String authority) {
		return user.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals(authority));
	}

}
