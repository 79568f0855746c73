/** The parts of the Knative stack, in install order (each may rely on the ones before it). */
import type { StackPart } from './bed.ts';
import { certManager } from './cert-manager.ts';
import { eventing } from './eventing.ts';
import { mcpg } from './mcpg.ts';
import { networking } from './networking.ts';
import { serving } from './serving.ts';

export const STACK_PARTS: StackPart[] = [certManager, serving, networking, eventing, mcpg];
