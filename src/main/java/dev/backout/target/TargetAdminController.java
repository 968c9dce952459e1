package dev.backout.target;

import java.util.Arrays;
import java.util.List;

import io.github.wimdeblauwe.htmx.spring.boot.mvc.HxRequest;
import jakarta.validation.Valid;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Admin pages of the target registry. "Test connection" answers an htmx request with the
 * result fragment, or a whole page without JavaScript.
 */
@Controller
@RequestMapping("/admin/targets")
@PreAuthorize("hasRole('ADMIN')")
class TargetAdminController {

	private final Targets targets;

	TargetAdminController(Targets targets) {
		this.targets = targets;
	}

	@ModelAttribute("environments")
	List<Environment> environments() {
		return Arrays.asList(Environment.values());
	}

	@GetMapping
	String list(Model model) {
		model.addAttribute("targets", this.targets.all());
		return "target/list";
	}

	@GetMapping("/new")
	String newTarget(Model model) {
		model.addAttribute("form", TargetForm.empty());
		return "target/form";
	}

	@PostMapping
	String create(@Valid @ModelAttribute("form") TargetForm form, BindingResult binding, Model model,
			Authentication admin, RedirectAttributes redirect) {
		if (binding.hasErrors()) {
			return "target/form";
		}
		try {
			Target target = this.targets.register(form.spec(), admin);
			redirect.addFlashAttribute("message", "Target " + target.name() + " registered.");
			return "redirect:/admin/targets/" + target.id();
		}
		catch (TargetException ex) {
			model.addAttribute("error", ex.getMessage());
			return "target/form";
		}
	}

	@GetMapping("/{id}")
	String edit(@PathVariable long id, Model model) {
		Target target = this.targets.get(id);
		model.addAttribute("target", target);
		model.addAttribute("form", TargetForm.of(target));
		return "target/form";
	}

	@PostMapping("/{id}")
	String update(@PathVariable long id, @Valid @ModelAttribute("form") TargetForm form, BindingResult binding,
			Model model, Authentication admin, RedirectAttributes redirect) {
		Target target = this.targets.get(id);
		model.addAttribute("target", target);
		if (binding.hasErrors()) {
			return "target/form";
		}
		try {
			this.targets.update(id, form.spec(), admin);
			redirect.addFlashAttribute("message", "Target " + target.name() + " saved.");
			return "redirect:/admin/targets/" + id;
		}
		catch (TargetException ex) {
			model.addAttribute("error", ex.getMessage());
			return "target/form";
		}
	}

	@PostMapping("/{id}/remove")
	String remove(@PathVariable long id, Authentication admin, RedirectAttributes redirect) {
		try {
			this.targets.remove(id, admin);
			redirect.addFlashAttribute("message", "Target removed.");
			return "redirect:/admin/targets";
		}
		catch (TargetException ex) {
			redirect.addFlashAttribute("error", ex.getMessage());
			return "redirect:/admin/targets/" + id;
		}
	}

	@HxRequest
	@PostMapping("/{id}/test")
	String testFragment(@PathVariable long id, Authentication admin, Model model) {
		model.addAttribute("check", this.targets.test(id, admin));
		return "target/form :: connection-check";
	}

	@PostMapping("/{id}/test")
	String test(@PathVariable long id, Authentication admin, Model model) {
		Target target = this.targets.get(id);
		model.addAttribute("target", target);
		model.addAttribute("form", TargetForm.of(target));
		model.addAttribute("check", this.targets.test(id, admin));
		return "target/form";
	}

}
