package dev.backout.system;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

@Controller
@ConditionalOnBooleanProperty("backout.demo.enabled")
class DemoTargetController {

	private final DemoTarget demoTarget;

	DemoTargetController(DemoTarget demoTarget) {
		this.demoTarget = demoTarget;
	}

	@PostMapping("/admin/demo-target/reset")
	@PreAuthorize("hasRole('ADMIN')")
	String reset(Authentication admin, RedirectAttributes redirect) {
		try {
			this.demoTarget.reset(admin);
			redirect.addFlashAttribute("message",
					"The demo target was rebuilt: all five seed migrations are applied again, ready to roll back.");
		}
		catch (DemoTarget.DemoTargetBusy busy) {
			redirect.addFlashAttribute("error", busy.getMessage());
		}
		return "redirect:/runbooks";
	}

}
