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
		List<StepRun> settled = this.executions.recover(admin);
		redirect.addFlashAttribute("message", settled.isEmpty() ? "No interrupted step attempts were found."
				: "Settled " + settled.size() + " interrupted step attempts: " + settled.stream()
					.map((run) -> "incident " + run.incidentId() + " step " + run.stepId() + " → " + run.state())
					.toList());
		return "redirect:/admin/targets";
	}

}
