package dev.backout.system;

import dev.backout.audit.AuditTrail;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

@Controller
class HomeController {

	private static final int RECENT_ACTIVITY = 12;

	private final AuditTrail trail;

	HomeController(AuditTrail trail) {
		this.trail = trail;
	}

	@GetMapping("/")
	String home(Authentication user, Model model) {
		boolean seesActivity = user.getAuthorities()
			.stream()
			.anyMatch((a) -> a.getAuthority().equals("ROLE_ADMIN") || a.getAuthority().equals("ROLE_AUDITOR"));
		if (seesActivity) {
			model.addAttribute("recentActivity", this.trail.latest(RECENT_ACTIVITY));
		}
		return "home/index";
	}

}
