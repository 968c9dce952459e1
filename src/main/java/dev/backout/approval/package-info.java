/**
 * The authorization gate: approval requests with the exact plan approvers review, approvals and
 * rejections bound to the runbook version and plan, and the rules that decide when an incident
 * is approved. Publishes {@link dev.backout.approval.IncidentApproved} and
 * {@link dev.backout.approval.IncidentRejected}.
 */
package dev.backout.approval;
