package dev.runwire.api.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.runwire.api.error.Problem;
import dev.runwire.model.http.HttpValues;
import dev.runwire.model.plan.StepInputs;

/**
 * The shape of a plan, checked before anything runs: unique step ids, known dependencies, no cycle, and references only
 * to steps that surely ran before (ancestors). Every problem is reported with a JSON pointer into the request.
 */
public final class PlanChecks {

    static final int MAX_STEPS = 100;
    private static final int MAX_ID = 64;

    private PlanChecks() {
    }

    public static List<Problem> check(PlanView.Plan plan, String at) {
        List<Problem> errors = new ArrayList<>();
        if (plan.steps() == null || plan.steps().isEmpty() || plan.steps().size() > MAX_STEPS) {
            errors.add(Problem.at("invalid_plan", "a plan has 1 to " + MAX_STEPS + " steps", at + "/steps"));
            return errors;
        }
        if (plan.description() != null && plan.description().length() > 10_000) {
            errors.add(Problem.at("invalid_plan", "description is at most 10000 characters", at + "/description"));
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < plan.steps().size(); i++) {
            PlanView.Step step = plan.steps().get(i);
            String here = at + "/steps/" + i;
            if (step == null) {
                errors.add(Problem.at("invalid_step", "a step is an object", here));
                continue;
            }
            if (step.id() == null || step.id().isBlank() || step.id().length() > MAX_ID) {
                errors.add(Problem.at("invalid_step_id", "id is required (1-" + MAX_ID + " characters)", here + "/id"));
            } else if (HttpValues.headerValueProblem(step.id()) != null) {
                // the step's calls carry it in their Idempotency-Key header
                errors.add(Problem.at("invalid_step_id",
                        "a step id is part of a header of its calls: " + HttpValues.headerValueProblem(step.id()),
                        here + "/id"));
            } else if (index.putIfAbsent(step.id(), i) != null) {
                errors.add(Problem.at("duplicate_step_id", "step id " + step.id() + " is used twice", here + "/id"));
            }
            if (step.description() == null || step.description().isBlank()) {
                errors.add(Problem.at("missing_description", "description is required", here + "/description"));
            }
            if (step.action() == null || step.action().key() == null || step.action().key().isBlank()) {
                errors.add(Problem.at("missing_action", "action.key is required", here + "/action/key"));
            }
            if (step.input() != null && !step.input().isNull() && !step.input().isObject()) {
                errors.add(Problem.at("invalid_input", "input must be an object", here + "/input"));
            }
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        for (int i = 0; i < plan.steps().size(); i++) {
            PlanView.Step step = plan.steps().get(i);
            List<String> deps = step.dependsOnSteps() == null ? List.of() : step.dependsOnSteps();
            for (int d = 0; d < deps.size(); d++) {
                String dep = deps.get(d);
                if (dep == null || !index.containsKey(dep)) {
                    errors.add(Problem.at("unknown_step", "no step with id " + dep,
                            at + "/steps/" + i + "/dependsOnSteps/" + d));
                } else if (dep.equals(step.id())) {
                    errors.add(Problem.at("cycle", "a step cannot depend on itself",
                            at + "/steps/" + i + "/dependsOnSteps/" + d));
                }
            }
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        List<String> cycle = cycle(plan.steps());
        if (!cycle.isEmpty()) {
            errors.add(Problem.at("cycle", "the steps depend on each other in a cycle: " + String.join(" -> ", cycle),
                    at + "/steps/" + index.get(cycle.get(0)) + "/dependsOnSteps"));
            return errors;
        }
        for (int i = 0; i < plan.steps().size(); i++) {
            PlanView.Step step = plan.steps().get(i);
            Set<String> ancestors = ancestors(step.id(), plan.steps(), index);
            for (StepInputs.Reference ref : StepInputs.references(step.input())) {
                String here = at + "/steps/" + i + "/input" + ref.at();
                if (!index.containsKey(ref.stepId())) {
                    errors.add(Problem.at("unknown_step", "no step with id " + ref.stepId(), here));
                } else if (!ancestors.contains(ref.stepId())) {
                    errors.add(Problem.at("reference_not_ancestor", "step " + step.id() + " reads the output of "
                            + ref.stepId() + ", which it does not depend on", here));
                } else if (!StepInputs.isPointer(ref.pointer())) {
                    errors.add(Problem.at("invalid_pointer",
                            "$pointer must be a JSON pointer (empty or starting with /)", here));
                }
            }
        }
        return errors;
    }

    /** Steps on a dependency cycle, in order, the first repeated at the end; empty when there is none. */
    private static List<String> cycle(List<PlanView.Step> steps) {
        Map<String, List<String>> deps = new HashMap<>();
        steps.forEach(s -> deps.put(s.id(), s.dependsOnSteps() == null ? List.of() : s.dependsOnSteps()));
        Set<String> done = new HashSet<>();
        for (PlanView.Step step : steps) {
            List<String> found = visit(step.id(), deps, new LinkedHashSet<>(), done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(String id, Map<String, List<String>> deps, LinkedHashSet<String> path,
            Set<String> done) {
        if (done.contains(id)) {
            return List.of();
        }
        if (path.contains(id)) {
            List<String> cycle = new ArrayList<>();
            boolean on = false;
            for (String p : path) {
                on = on || p.equals(id);
                if (on) {
                    cycle.add(p);
                }
            }
            cycle.add(id);
            return cycle;
        }
        path.add(id);
        for (String dep : deps.get(id)) {
            List<String> found = visit(dep, deps, path, done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.remove(id);
        done.add(id);
        return List.of();
    }

    private static Set<String> ancestors(String id, List<PlanView.Step> steps, Map<String, Integer> index) {
        Set<String> seen = new HashSet<>();
        List<String> pending = new ArrayList<>(deps(steps.get(index.get(id))));
        while (!pending.isEmpty()) {
            String next = pending.remove(pending.size() - 1);
            if (seen.add(next)) {
                pending.addAll(deps(steps.get(index.get(next))));
            }
        }
        return seen;
    }

    private static List<String> deps(PlanView.Step step) {
        return step.dependsOnSteps() == null ? List.of() : step.dependsOnSteps();
    }
}
