package dev.backout.incident;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.approval.Approvals;
import dev.backout.audit.AuditEvent;
import dev.backout.audit.AuditTrail;
import dev.backout.database.ConsoleQuery;
import dev.backout.database.OneTrip;
import dev.backout.execution.Executions;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * History for auditors: incidents with filters and keyset pagination, an incident's timeline
 * from the trail, and its printable report.
 */
@Controller
@RequestMapping("/history")
class HistoryController {

	static final int PAGE = 50;

	private final IncidentRepository incidents;

	private final Incidents workflow;

	private final AuditTrail trail;

	private final OneTrip oneTrip;

	private final RunbookCatalog catalog;

	private final Approvals approvals;

	private final Executions executions;

	private final IncidentReport report;

	HistoryController(IncidentRepository incidents, Incidents workflow, AuditTrail trail, OneTrip oneTrip,
			RunbookCatalog catalog, Approvals approvals, Executions executions, IncidentReport report) {
		this.incidents = incidents;
		this.workflow = workflow;
		this.trail = trail;
		this.oneTrip = oneTrip;
		this.catalog = catalog;
		this.approvals = approvals;
		this.executions = executions;
		this.report = report;
	}

	/** One round trip: the page of incidents and the targets' names. */
	@GetMapping
	String history(@ModelAttribute("filter") HistoryFilter filter, Model model) {
		ConsoleQuery<List<Incident>> incidentsQuery = this.incidents.searchQuery(filter, PAGE + 1);
		ConsoleQuery<List<Targets.Named>> targetsQuery = Targets.namesQuery();
		OneTrip.Results read = this.oneTrip.read(List.of(incidentsQuery, targetsQuery));
		List<Incident> page = read.of(incidentsQuery);
		model.addAttribute("incidents", page.subList(0, Math.min(PAGE, page.size())));
		model.addAttribute("nextBefore", (page.size() > PAGE) ? page.get(PAGE - 1).id() : null);
		List<Targets.Named> all = read.of(targetsQuery);
		model.addAttribute("targets", all);
		model.addAttribute("runbooks", this.catalog.runbooks());
		model.addAttribute("states", IncidentState.values());
		Map<Long, String> targetNames = new HashMap<>();
		all.forEach((t) -> targetNames.put(t.id(), t.name()));
		model.addAttribute("targetNames", targetNames);
		return "incident/history";
	}

	@GetMapping("/incidents/{id}")
	String timeline(@PathVariable long id, Model model) {
		model.addAllAttributes(facts(id, false));
		return "incident/timeline";
	}

	@GetMapping("/incidents/{id}/report")
	String report(@PathVariable long id, Model model) {
		model.addAllAttributes(facts(id, true));
		return "incident/report";
	}

	@GetMapping("/incidents/{id}/report.pdf")
	ResponseEntity<byte[]> reportPdf(@PathVariable long id) {
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_PDF)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"incident-" + id + "-report.pdf\"")
			.body(this.report.pdf(facts(id, true)));
	}

	/**
	 * The incident, its target, its events and the schema change, as the timeline shows them, read
	 * in one round trip; for the report also the decisions, every attempt and the SQL each step
	 * sent, which the timeline (read far more often) does without.
	 */
	private Map<String, Object> facts(long id, boolean forTheReport) {
		ConsoleQuery<Optional<Incident>> incidentQuery = this.incidents.incidentQuery(id);
		ConsoleQuery<Optional<Target>> targetQuery = Targets.ofIncidentQuery(id);
		ConsoleQuery<List<AuditEvent>> eventsQuery = AuditTrail.forIncidentQuery(id);
		ConsoleQuery<SchemaSnapshots.Pair> snapshotsQuery = SchemaSnapshots.pairQuery(id);
		OneTrip.Results read = this.oneTrip.read(List.of(incidentQuery, targetQuery, eventsQuery, snapshotsQuery));
		Incident incident = read.of(incidentQuery).orElseThrow(() -> IncidentRepository.noIncident(id));
		Target target = read.of(targetQuery).orElseThrow(() -> Targets.noTargetOf(id));
		List<AuditEvent> events = read.of(eventsQuery);
		Map<String, Object> facts = new HashMap<>();
		facts.put("incident", incident);
		facts.put("target", target);
		facts.put("events", events);
		facts.put("notByConsole", this.trail.notWrittenByTheConsole(events));
		facts.put("schemaChanges", read.of(snapshotsQuery).changes());
		if (forTheReport) {
			facts.put("firstEvent", events.isEmpty() ? null : events.get(0));
			facts.put("lastEvent", events.isEmpty() ? null : events.get(events.size() - 1));
			facts.put("decisions", this.approvals.decisions(id));
			facts.put("runs", this.executions.journal(id));
			// The SQL each step sent, from the pinned runbook version's plan (empty when nothing executes).
			Map<String, List<String>> statements = new HashMap<>();
			this.workflow.plan(incident, target)
				.ifPresent((plan) -> plan.steps().forEach((step) -> statements.put(step.stepId(), step.statements())));
			facts.put("statements", statements);
		}
		return facts;
	}

}
