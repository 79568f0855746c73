/** The parts of the Knative stack, in install order (each may rely on the ones before it). */
import type { StackPart } from './bed.ts';
import { eventing } from './eventing.ts';

export const STACK_PARTS: StackPart[] = [eventing];
