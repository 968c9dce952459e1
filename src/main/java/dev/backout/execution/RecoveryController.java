package dev.backout.execution;

import java.util.List;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * On-demand recovery of step attempts left in flight by a console that died (it also runs at
 * every start-up).
 */
@Controller
class RecoveryController {

	private final Executions executions;

	RecoveryController(Executions executions) {
		this.executions = executions;
	}

	@PostMapping("/admin/targets/recover")
	@PreAuthorize("hasRole('ADMIN')")
	String recover(Authentication admin, RedirectAttributes redirect) {
		Recovery.Report report = this.executions.recover(admin);
		List<StepRun> settled = report.settled();
		if (settled.isEmpty() && report.left().isEmpty()) {
			redirect.addFlashAttribute("message", "No interrupted step attempts were found.");
		}
		else if (!settled.isEmpty()) {
			redirect.addFlashAttribute("message", "Settled " + settled.size() + " interrupted step attempts: " + settled.stream()
				.map((run) -> "incident " + run.incidentId() + " step " + run.stepId() + " → " + run.state())
				.toList());
		}
		if (!report.left().isEmpty()) {
			redirect.addFlashAttribute("error", "Not settled yet: " + String.join("; ", report.left()) + ".");
		}
		return "redirect:/admin/targets";
	}

}
