import { DomainError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/repositories.ts';
import { defaultFlowDefinition } from './default-flow.ts';
import type { Flow, FlowDefinition } from './flow-definition.ts';
import { validateFlow } from './validate-flow.ts';

/** Flows: validated on save; the active one routes every message that reaches the bot. */
export class FlowService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  validate = validateFlow;

  list(): Promise<Flow[]> {
    return this.store.flows.list();
  }

  /** The active flow, or the built-in default flow when none was saved. */
  async getActive(): Promise<Flow> {
    return (
      (await this.store.flows.getActive()) ?? {
        id: 'default',
        name: 'Default',
        definition: defaultFlowDefinition,
        active: true,
        updatedAt: new Date(0).toISOString(),
      }
    );
  }

  /** Validates and saves the flow as the active one. Invalid flows are refused with every problem listed. */
  async saveActive(input: { name?: string; definition: unknown }): Promise<Flow> {
    const problems = validateFlow(input.definition);
    if (problems.length > 0) {
      throw new DomainError(
        'invalid',
        `the flow is not valid: ${problems.map((p) => `${p.path || '(flow)'} ${p.message}`).join('; ')}`,
        {
          problems,
        },
      );
    }
    const current = await this.store.flows.getActive();
    const flow: Flow = {
      id: current?.id ?? newId(),
      name: input.name?.trim() || current?.name || 'Main flow',
      definition: input.definition as FlowDefinition,
      active: true,
      updatedAt: this.clock.now().toISOString(),
    };
    await this.store.flows.save(flow);
    return flow;
  }
}
