// A run's plan as a graph: steps in stages (a step's stage is one more than its deepest dependency's), an arrow from
// each dependency to the step, each step a button showing its status. The arrows are drawn over the laid-out boxes,
// so they follow the page on a narrow screen (stages stacked) as on a wide one (stages side by side). The text says
// the same as the arrows ("after A, B"), for screen readers and for copying.
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Stage index of each step id; steps whose dependencies are unknown or cyclic land after what is known. */
export function stages(steps) {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const depth = new Map();
  const visit = (id, trail) => {
    if (depth.has(id)) return depth.get(id);
    if (trail.has(id) || !byId.has(id)) return 0;
    trail.add(id);
    const deps = byId.get(id).dependsOnSteps || [];
    const d = deps.length ? 1 + Math.max(...deps.map((dep) => visit(dep, trail))) : 0;
    trail.delete(id);
    depth.set(id, d);
    return d;
  };
  steps.forEach((s) => visit(s.id, new Set()));
  return depth;
}

export class PlanGraph {
  /** steps: the plan's steps ({id, description, dependsOnSteps, action}); onSelect(stepId) when a step is chosen. */
  constructor(steps, onSelect) {
    this.steps = steps;
    this.nodes = new Map();
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'edges');
    this.svg.setAttribute('aria-hidden', 'true');
    const depth = stages(steps);
    const columns = [];
    for (const step of steps) (columns[depth.get(step.id)] ||= []).push(step);
    this.element = h('div', { class: 'graph', role: 'group', 'aria-label': 'Plan' }, this.svg,
      columns.filter(Boolean).map((column, i) => h('ol', { class: 'stage', 'aria-label': `Stage ${i + 1}` },
        column.map((step) => {
          const status = h('span', { class: 'status status-pending', text: 'pending' });
          const button = h('button', { type: 'button', class: 'node', 'data-step-id': step.id, 'data-status': 'pending',
            'aria-pressed': 'false', onclick: () => onSelect(step.id) },
          h('strong', { text: step.id }), ' ', status,
          h('span', { class: 'muted', text: step.action?.key ? `${step.action.key}${step.action.version ? ' v' + step.action.version : ''}` : '' }),
          step.description ? h('span', { class: 'desc', text: step.description }) : null,
          (step.dependsOnSteps || []).length ? h('span', { class: 'muted after', text: `after ${step.dependsOnSteps.join(', ')}` }) : null);
          this.nodes.set(step.id, { button, status });
          return h('li', {}, button);
        }))));
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.element);
  }

  /** Shows a step's status (pending, running, succeeded, failed, waiting, ...). */
  status(stepId, status) {
    const node = this.nodes.get(stepId);
    if (!node) return;
    node.button.dataset.status = status;
    node.status.className = `status status-${status}`;
    node.status.textContent = status;
  }

  select(stepId) {
    for (const [id, node] of this.nodes) node.button.setAttribute('aria-pressed', String(id === stepId));
  }

  /** Draws one arrow per dependency between the boxes as they are laid out now. */
  draw() {
    const box = this.element.getBoundingClientRect();
    this.svg.setAttribute('width', box.width);
    this.svg.setAttribute('height', box.height);
    this.svg.replaceChildren();
    const defs = document.createElementNS(SVG, 'defs');
    const marker = document.createElementNS(SVG, 'marker');
    for (const [k, v] of Object.entries({ id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' })) {
      marker.setAttribute(k, v);
    }
    const tip = document.createElementNS(SVG, 'path');
    tip.setAttribute('d', 'M0,0 L10,5 L0,10 z');
    marker.append(tip);
    defs.append(marker);
    this.svg.append(defs);
    let stacked = 0;
    for (const step of this.steps) {
      const to = this.nodes.get(step.id)?.button.getBoundingClientRect();
      for (const dep of step.dependsOnSteps || []) {
        const from = this.nodes.get(dep)?.button.getBoundingClientRect();
        if (!from || !to) continue;
        const sideBySide = to.left >= from.right - 1;
        const line = document.createElementNS(SVG, 'path');
        let d;
        if (sideBySide) {
          const [ax, ay, bx, by] = [from.right - box.left, from.top + from.height / 2 - box.top,
            to.left - box.left, to.top + to.height / 2 - box.top];
          d = `M${ax},${ay} C${(ax + bx) / 2},${ay} ${(ax + bx) / 2},${by} ${bx},${by}`;
        } else {
          // stages stacked: an arc in the left margin, from the side of one box to the side of the other, so that it
          // never crosses a box between them; each arc a little wider than the last, so that they stay apart
          const [ax, ay, bx, by] = [from.left - box.left, from.top + from.height / 2 - box.top,
            to.left - box.left, to.top + to.height / 2 - box.top];
          const reach = 8 + 4 * (stacked++ % 4);
          d = `M${ax},${ay} C${ax - reach * 2},${ay} ${bx - reach * 2},${by} ${bx},${by}`;
        }
        line.setAttribute('d', d);
        line.setAttribute('marker-end', 'url(#arrow)');
        line.dataset.from = dep;
        line.dataset.to = step.id;
        this.svg.append(line);
      }
    }
  }

  disconnect() { this.resize.disconnect(); }
}
