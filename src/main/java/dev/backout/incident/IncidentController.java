package dev.backout.incident;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.github.wimdeblauwe.htmx.spring.boot.mvc.HxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.Valid;

import dev.backout.approval.ApprovalRefused;
import dev.backout.execution.ExecutionRefused;
import dev.backout.execution.Executions;
import dev.backout.execution.Rehearsal;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.system.InputTooLong;
import dev.backout.target.Targets;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.View;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.RequestContextUtils;

/**
 * The incident pages. Every action posts and redirects back to the incident with a message;
 * refusals are explained there, never shown as errors.
 */
@Controller
@RequestMapping("/incidents")
class IncidentController {

	/** The cockpit version the polling page shows (sent by the page's poll only, see show.html). */
	static final String SHOWN = "Backout-Cockpit-Shown";

	/** The answer to a poll that changes nothing: 204, which htmx does not swap. */
	private static final View NOTHING = (model, request, response) -> {
	};

	private final Incidents incidents;

	private final IncidentApprovals approvalRequests;

	private final IncidentSteps steps;

	private final Rehearsals rehearsals;

	private final RunbookCatalog catalog;

	private final Targets targets;

	private final Executions executions;

	private final IncidentPages pages;

	private final CommandHandover handover;

	private final Clock clock;

	IncidentController(Incidents incidents, IncidentApprovals approvalRequests, IncidentSteps steps, Rehearsals rehearsals,
			RunbookCatalog catalog, Targets targets, Executions executions,
			IncidentPages pages, CommandHandover handover, Clock clock) {
		this.handover = handover;
		this.incidents = incidents;
		this.approvalRequests = approvalRequests;
		this.steps = steps;
		this.rehearsals = rehearsals;
		this.catalog = catalog;
		this.targets = targets;
		this.executions = executions;
		this.pages = pages;
		this.clock = clock;
	}

	@GetMapping
	String list(Model model) {
		model.addAttribute("incidents", this.incidents.recent(100));
		model.addAttribute("now", this.clock.instant());
		return "incident/list";
	}

	@GetMapping("/new")
	String newIncident(@RequestParam(required = false) String runbook, Model model) {
		// A runbook names the alias group it runs on; when one target is in that group, it is the one.
		Long target = (runbook == null) ? null : this.catalog.find(runbook)
			.map((loaded) -> this.targets.all().stream().filter((t) -> t.aliasGroup().equals(loaded.runbook().target())).toList())
			.filter((group) -> group.size() == 1)
			.map((group) -> group.get(0).id())
			.orElse(null);
		model.addAttribute("form", IncidentForm.empty(runbook, target));
		return form(model);
	}

	@PostMapping
	String open(@Valid @ModelAttribute("form") IncidentForm form, BindingResult binding, Model model,
			Authentication commander, RedirectAttributes redirect) {
		if (binding.hasErrors()) {
			return form(model);
		}
		try {
			Incident incident = this.incidents.open(new Incidents.Opening(form.runbookId(), form.targetId(), form.symptom(),
					form.severity(), (form.detectedAt() != null) ? form.detectedAt().toInstant(ZoneOffset.UTC) : null), commander);
			redirect.addFlashAttribute("message", "Incident " + incident.id() + " opened. Answer the decision questions.");
			return "redirect:/incidents/" + incident.id();
		}
		catch (IncidentRefused ex) {
			model.addAttribute("error", ex.getMessage());
			return form(model);
		}
	}

	private String form(Model model) {
		// Coming from a runbook's page, the runbook is chosen already: the form names it instead of asking.
		if (model.getAttribute("form") instanceof IncidentForm form && form.runbookId() != null) {
			this.catalog.find(form.runbookId()).ifPresent((loaded) -> model.addAttribute("chosenRunbook", loaded));
		}
		model.addAttribute("runbooks", this.catalog.runbooks());
		model.addAttribute("targets", this.targets.all());
		model.addAttribute("severities", Severity.values());
		return "incident/new";
	}

	@GetMapping("/{id}")
	String show(@PathVariable long id, Model model, Authentication viewer) {
		// A full page view may settle a step whose connection was lost (the scheduled recovery does
		// it too) and count the rows a destructive step would touch; a poll does neither.
		IncidentCockpit cockpit = describe(id, model, viewer);
		if (this.executions.settleSeen(id, cockpit.journal())) {
			cockpit = describe(id, model, viewer);
		}
		IncidentCockpit shown = cockpit;
		boolean decides = viewer.getAuthorities().stream().anyMatch((a) -> java.util.Set.of("ROLE_COMMANDER", "ROLE_TEAM_LEAD",
				"ROLE_CTO", "ROLE_ON_CALL").contains(a.getAuthority()));
		shown.walk().next().filter((q) -> decides && q.fact() != null && shown.incident().state() == IncidentState.TRIAGE)
			.ifPresent((q) -> readFact(shown, q, model));
		boolean commander = viewer.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals("ROLE_COMMANDER"));
		if (commander && cockpit.next() != null && cockpit.next().destructive() && cockpit.incident().state().executing()
				&& cockpit.running() == null) {
			model.addAttribute("rowsAtStake", this.executions.rowsAtStake(cockpit.plan(), cockpit.target()).get(cockpit.next().stepId()));
			model.addAttribute("blastRadius", this.executions.blastRadius(cockpit.target(), cockpit.next()));
		}
		return "incident/show";
	}

	/**
	 * The live cockpit alone: polled by the page, and what every action swaps in (htmx follows the
	 * action's redirect here). Never touches the target.
	 */
	@HxRequest
	@GetMapping("/{id}")
	ModelAndView cockpit(@PathVariable long id, Model model, Authentication viewer, HttpServletRequest request,
			@RequestHeader(name = SHOWN, required = false) String shown,
			@RequestHeader(name = "HX-Trigger", required = false) String trigger) {
		describe(id, model, viewer);
		String version = (String) model.getAttribute("cockpitVersion");
		// Only the cockpit's own poll (htmx names the element that triggered it; the forms inside
		// inherit its headers, and a redirect keeps them) whose page shows this very version changes
		// nothing. A flash message is always shown, and the version of a render with one matches no
		// later poll, so the message goes at the next poll, as it did before polls were answered 204.
		if ("cockpit".equals(trigger) && version.equals(shown) && RequestContextUtils.getInputFlashMap(request) == null) {
			ModelAndView unchanged = new ModelAndView(NOTHING);
			unchanged.setStatus(HttpStatus.NO_CONTENT);
			return unchanged;
		}
		return new ModelAndView("incident/show :: cockpit");
	}

	/** The rows a destructive step would touch, counted read-only when its confirmation is shown (to commanders). */
	@org.springframework.security.access.prepost.PreAuthorize("hasRole('COMMANDER')")
	@GetMapping("/{id}/rows-at-stake")
	String rowsAtStake(@PathVariable long id, Model model, Authentication viewer) {
		IncidentCockpit cockpit = this.pages.read(id, viewer.getName());
		model.addAttribute("cockpit", cockpit);
		boolean destructive = cockpit.next() != null && cockpit.next().destructive() && cockpit.plan() != null;
		model.addAttribute("rowsAtStake", destructive
				? this.executions.rowsAtStake(cockpit.plan(), cockpit.target()).get(cockpit.next().stepId()) : null);
		model.addAttribute("blastRadius", destructive ? this.executions.blastRadius(cockpit.target(), cockpit.next()) : null);
		return "incident/show :: rowsAtStake";
	}

	private IncidentCockpit describe(long id, Model model, Authentication viewer) {
		IncidentCockpit cockpit = this.pages.read(id, viewer.getName());
		model.addAttribute("cockpit", cockpit);
		model.addAttribute("cockpitVersion", cockpit.version(AuthorityUtils.authorityListToSet(viewer.getAuthorities()),
				sessionId(), RequestContextUtils.getInputFlashMap(currentRequest()) != null));
		model.addAttribute("incident", cockpit.incident());
		model.addAttribute("runbook", cockpit.runbook());
		model.addAttribute("target", cockpit.target());
		model.addAttribute("walk", cockpit.walk());
		model.addAttribute("now", cockpit.now());
		model.addAttribute("newerRunbook", cockpit.newerRunbook());
		model.addAttribute("plan", cockpit.plan());
		model.addAttribute("rows", cockpit.rows());
		model.addAttribute("next", cockpit.next());
		model.addAttribute("settling", cockpit.settling());
		model.addAttribute("needsReapproval", cockpit.needsReapproval());
		model.addAttribute("approvalRequest", (cockpit.approval() != null) ? cockpit.approval().request() : null);
		model.addAttribute("approvalStatus", (cockpit.approval() != null) ? cockpit.approval().status() : null);
		model.addAttribute("decisions", (cockpit.approval() != null) ? cockpit.approval().decisions() : List.of());
		model.addAttribute("commandOfferedTo", cockpit.commandOfferedTo());
		model.addAttribute("schemaChanges", cockpit.schemaChanges());
		return cockpit;
	}

	/** The viewer's session, never created here. */
	private static String sessionId() {
		HttpSession session = currentRequest().getSession(false);
		return (session != null) ? session.getId() : "";
	}

	private static HttpServletRequest currentRequest() {
		return ((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes()).getRequest();
	}

	/** The fact behind the question on screen, read now (read-only, as a check), for those who decide and approve. */
	@org.springframework.security.access.prepost.PreAuthorize("hasAnyRole('COMMANDER', 'TEAM_LEAD', 'CTO', 'ON_CALL')")
	@GetMapping("/{id}/facts/{question}")
	String fact(@PathVariable long id, @PathVariable String question, Model model, Authentication viewer) {
		IncidentCockpit cockpit = this.pages.read(id, viewer.getName());
		model.addAttribute("cockpit", cockpit);
		model.addAttribute("incident", cockpit.incident());
		cockpit.runbook().decision().question(question).filter((q) -> q.fact() != null).ifPresent((q) -> {
			model.addAttribute("q", q);
			readFact(cockpit, q, model);
		});
		return "incident/show :: fact";
	}

	/** Reads the question's fact, and which answers it fits, for the page. */
	private void readFact(IncidentCockpit cockpit, dev.backout.runbook.DecisionTree.Question question, Model model) {
		Executions.FactValue fact = this.executions.fact(cockpit.target(), question.fact().check());
		model.addAttribute("fact", fact);
		model.addAttribute("factReadAt", this.clock.instant());
		model.addAttribute("factFits", (fact.error() != null) ? List.of() : question.answers()
			.stream()
			.filter((answer) -> answer.expect() != null && answer.expect().isMetBy(fact.hasRow(), fact.value()))
			.map(dev.backout.runbook.DecisionTree.Answer::answer)
			.toList());
	}

	@PostMapping("/{id}/answers")
	String answer(@PathVariable long id, @RequestParam int version, @RequestParam String question,
			@RequestParam String answer, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			Incident answered = this.incidents.answer(id, version, question, answer, actor);
			answered.answers()
				.stream()
				.filter((given) -> given.question().equals(question) && given.contradicted())
				.findFirst()
				.ifPresent((given) -> redirect.addFlashAttribute("warning", "Your answer \"" + given.answer()
						+ "\" disagrees with the fact: " + given.fact() + " = " + given.factValue()
						+ ". It is recorded, and approvers will see it; if it was a slip, change the answer."));
			return answered;
		});
	}

	@PostMapping("/{id}/decision")
	String confirm(@PathVariable long id, @RequestParam int version, @RequestParam(required = false) String reason,
			Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			Incident decided = this.incidents.confirmDecision(id, version, reason, actor);
			if (decided.state() != IncidentState.PRECHECK) {
				redirect.addFlashAttribute("message", "Decision confirmed.");
				return decided;
			}
			// The pre-checks only read, and every commander runs them next: the page runs them at once.
			try {
				reportPrechecks("Decision confirmed. ", this.steps.runPrechecks(id, actor), redirect);
			}
			catch (ExecutionRefused ex) {
				redirect.addFlashAttribute("error", "Decision confirmed, but the pre-checks could not run: " + ex.getMessage());
			}
			return decided;
		});
	}

	@PostMapping("/{id}/prechecks")
	String prechecks(@PathVariable long id, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			List<StepRun> runs = this.steps.runPrechecks(id, actor);
			reportPrechecks("", runs, redirect);
			return runs;
		});
	}

	@PostMapping("/{id}/lead-unreachable")
	String leadUnreachable(@PathVariable long id, @RequestParam int version, @RequestParam String reason,
			Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, "Recorded: the team lead is unreachable. The fallback approver may now approve.",
				() -> this.approvalRequests.recordLeadUnreachable(id, version, reason, actor));
	}

	@PostMapping("/{id}/approval-request")
	String requestApproval(@PathVariable long id, @RequestParam int version,
			@RequestParam(required = false) String withoutRehearsal, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, "Approval requested: approvers see the plan in their queue.",
				() -> this.approvalRequests.requestApproval(id, version, withoutRehearsal, actor));
	}

	@PostMapping("/{id}/rehearsal")
	String rehearse(@PathVariable long id, @RequestParam(required = false) Long target, Authentication actor,
			RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			Rehearsal rehearsal = this.rehearsals.rehearse(id, target, actor);
			redirect.addFlashAttribute(rehearsal.passed() ? "message" : "error", "Rehearsal " + rehearsal.summary());
			return rehearsal;
		});
	}

	@PostMapping("/{id}/steps/{stepId}")
	String runStep(@PathVariable long id, @PathVariable String stepId, @RequestParam(required = false) String confirmation,
			@RequestParam(required = false) String then, @RequestParam Map<String, String> params, Authentication actor,
			RedirectAttributes redirect) {
		Map<String, String> inputs = new LinkedHashMap<>();
		params.forEach((key, value) -> {
			if (key.startsWith("input.")) {
				inputs.put(key.substring(6), value);
			}
		});
		return act(id, redirect, null, () -> {
			StepRun run = this.steps.runStep(id, stepId, confirmation, inputs, actor);
			report(run, redirect);
			if ("continue".equals(then) && run.state() == StepState.SUCCEEDED) {
				// The person asked to go on: the automatic steps after this one run until one needs a person.
				List<StepRun> following = this.steps.runUntilAPersonIsNeeded(id, actor);
				if (!following.isEmpty()) {
					reportFollowing(run, following, redirect);
				}
			}
			return run;
		});
	}

	@PostMapping("/{id}/rest-of-phase")
	String restOfPhase(@PathVariable long id, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			List<StepRun> runs = this.steps.runRestOfPhase(id, actor);
			if (runs.isEmpty()) {
				redirect.addFlashAttribute("error", "The next step needs you: a confirmation or a checklist item.");
			}
			else {
				report(runs.get(runs.size() - 1), redirect);
			}
			return runs;
		});
	}

	/** The cockpit's button: the following automatic steps, across phases, until a person is needed. */
	@PostMapping("/{id}/until-a-person-is-needed")
	String untilAPersonIsNeeded(@PathVariable long id, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			List<StepRun> runs = this.steps.runUntilAPersonIsNeeded(id, actor);
			if (runs.isEmpty()) {
				redirect.addFlashAttribute("error", "The next step needs you: a confirmation or a checklist item.");
			}
			else {
				StepRun last = runs.get(runs.size() - 1);
				if (last.state().name().equals("SUCCEEDED")) {
					redirect.addFlashAttribute("message", runs.size() + " step(s) ran; the last, \"" + last.stepId() + "\", succeeded.");
				}
				else {
					report(last, redirect);
				}
			}
			return runs;
		});
	}

	@PostMapping("/{id}/retry")
	String retry(@PathVariable long id, @RequestParam int version, @RequestParam(required = false) String confirmation,
			Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			StepRun run = this.steps.retry(id, version, confirmation, actor);
			report(run, redirect);
			return run;
		});
	}

	@PostMapping("/{id}/revise")
	String revise(@PathVariable long id, @RequestParam int version, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, "Back to the decision, answers kept: change what the rejection asks for, run the pre-checks "
				+ "and request approval again.", () -> this.approvalRequests.revise(id, version, actor));
	}

	@PostMapping("/{id}/skip")
	String skip(@PathVariable long id, @RequestParam int version, @RequestParam String step, @RequestParam String reason,
			Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, "Skip requested: it needs a fresh approval.",
				() -> this.approvalRequests.requestSkip(id, version, step, reason, actor));
	}

	@PostMapping("/{id}/abort")
	String abort(@PathVariable long id, @RequestParam int version, @RequestParam String reason, Authentication actor,
			RedirectAttributes redirect) {
		return act(id, redirect, "Incident aborted.", () -> this.incidents.abort(id, version, reason, actor));
	}

	@PostMapping("/{id}/cancel")
	String cancel(@PathVariable long id, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			redirect.addFlashAttribute("message", this.steps.cancel(id, actor));
			return null;
		});
	}

	/** A person settles a step whose outcome the console could not learn by itself. */
	@PostMapping("/{id}/runs/{runId}/settle")
	String settle(@PathVariable long id, @PathVariable long runId, @RequestParam(required = false) String applied,
			@RequestParam(required = false) String reason, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			if (!"yes".equals(applied) && !"no".equals(applied)) {
				throw new IncidentRefused("Say whether the target holds the step: applied or not applied.");
			}
			StepRun run = this.steps.settleStep(id, runId, "yes".equals(applied), reason, actor);
			redirect.addFlashAttribute("message", "\"" + run.stepId() + "\" settled as "
					+ ((run.state().name().equals("SUCCEEDED")) ? "applied; the incident goes on." : "not applied: retry it, ask to skip it, or abort."));
			return run;
		});
	}

	/** The verification checks, run read-only now, shown beside the step to settle. */
	@PostMapping("/{id}/evidence")
	String evidence(@PathVariable long id, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, null, () -> {
			redirect.addFlashAttribute("evidence", this.steps.evidence(id, actor));
			return null;
		});
	}

	@PostMapping("/{id}/command/offer")
	String offerCommand(@PathVariable long id, @RequestParam String to, Authentication actor, RedirectAttributes redirect) {
		return act(id, redirect, "Command offered to " + to.trim() + ": it changes hands when they accept.", () -> {
			this.handover.offer(id, to, actor);
			return null;
		});
	}

	@PostMapping("/{id}/command/accept")
	String acceptCommand(@PathVariable long id, @RequestParam int version, Authentication actor,
			RedirectAttributes redirect) {
		return act(id, redirect, "You are now this incident's commander.",
				() -> this.handover.accept(id, version, actor));
	}

	@PostMapping("/{id}/runbook-version")
	String switchRunbook(@PathVariable long id, @RequestParam int version, Authentication actor,
			RedirectAttributes redirect) {
		return act(id, redirect, "Now on the active runbook version. Run the pre-checks and request approval again.",
				() -> this.incidents.switchToActiveRunbook(id, version, actor));
	}

	@PostMapping("/{id}/close")
	String close(@PathVariable long id, @RequestParam int version, @RequestParam String summary, Authentication actor,
			RedirectAttributes redirect) {
		return act(id, redirect, "Incident completed.", () -> this.incidents.close(id, version, summary, actor));
	}

	private static void reportPrechecks(String before, List<StepRun> runs, RedirectAttributes redirect) {
		long failed = runs.stream().filter((run) -> run.state() != StepState.SUCCEEDED).count();
		redirect.addFlashAttribute((failed == 0) ? "message" : "error", before + ((failed == 0)
				? "All " + runs.size() + " pre-checks passed." : failed + " of " + runs.size() + " pre-checks failed: see below."));
	}

	private static void reportFollowing(StepRun first, List<StepRun> following, RedirectAttributes redirect) {
		StepRun last = following.get(following.size() - 1);
		if (last.state() == StepState.SUCCEEDED) {
			redirect.addFlashAttribute("message", "\"" + first.stepId() + "\" " + done(first) + ", then " + following.size()
					+ " automatic step(s) ran; the last, \"" + last.stepId() + "\", succeeded.");
		}
		else {
			redirect.addFlashAttribute("error", "\"" + first.stepId() + "\" " + done(first) + "; then \"" + last.stepId() + "\" "
					+ last.state().name().toLowerCase() + ": " + last.error());
		}
	}

	/** A checklist item is ticked; only a step sent to the target succeeds. */
	private static String done(StepRun run) {
		return "MANUAL".equals(run.kind()) ? "ticked" : "succeeded";
	}

	private static void report(StepRun run, RedirectAttributes redirect) {
		if (run.state().name().equals("SUCCEEDED")) {
			redirect.addFlashAttribute("message", "\"" + run.stepId() + "\" " + done(run) + ".");
		}
		else {
			redirect.addFlashAttribute("error", "\"" + run.stepId() + "\" " + run.state().name().toLowerCase() + ": "
					+ run.error());
		}
	}

	/** Runs the action; a refusal becomes the page's error message. Access denial stays a 403. */
	private static String act(long id, RedirectAttributes redirect, String success, Supplier<?> action) {
		try {
			action.get();
			if (success != null) {
				redirect.addFlashAttribute("message", success);
			}
		}
		catch (IncidentRefused | ExecutionRefused | ApprovalRefused | InputTooLong ex) {
			redirect.addFlashAttribute("error", ex.getMessage());
		}
		catch (AccessDeniedException ex) {
			throw ex;
		}
		return "redirect:/incidents/" + id;
	}

}
