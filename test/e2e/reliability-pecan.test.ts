// Reliability and security of the pecan stack, proven on one real deployment (support/reliability.ts).
import { reliabilitySuite } from "./support/reliability";
import { TARGETS } from "./support/reliabilityTargets";

reliabilitySuite(TARGETS.pecan);
