// Variables references for one stop: each expandable VarNode gets an integer handle; children
// are computed on first request and kept (so setVariable finds the node it names). Everything is
// dropped when the guest resumes.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { VarNode } from '../target/debugTarget';

interface Container {
  children: () => VarNode[];
  cached?: VarNode[];
}

export class VariableStore {
  private next = 1;
  private readonly containers = new Map<number, Container>();

  reset(): void {
    this.containers.clear();
  }

  /** A handle for a lazily computed list of nodes. */
  add(children: () => VarNode[]): number {
    const ref = this.next++;
    this.containers.set(ref, { children });
    return ref;
  }

  has(ref: number): boolean {
    return this.containers.has(ref);
  }

  nodes(ref: number): VarNode[] | undefined {
    const c = this.containers.get(ref);
    if (!c) return undefined;
    c.cached ??= c.children();
    return c.cached;
  }

  /** Drops a container's cached children so the next request recomputes them. */
  refresh(ref: number): void {
    const c = this.containers.get(ref);
    if (c) c.cached = undefined;
  }

  /** A node as a DAP variable; expandable nodes get a handle. */
  toVariable(node: VarNode, withMemoryReferences: boolean, hex = true): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = {
      name: node.name,
      value: !hex && node.raw ? node.raw.value.toString(10) : node.value,
      variablesReference: node.children ? this.add(node.children) : 0,
    };
    if (node.type) v.type = node.type;
    if (node.evaluateName) v.evaluateName = node.evaluateName;
    if (withMemoryReferences && node.memoryReference) v.memoryReference = node.memoryReference;
    if (node.readOnly || !node.set) v.presentationHint = { attributes: ['readOnly'] };
    return v;
  }
}
