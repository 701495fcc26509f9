// `npm run bench:scale`: how big a lab fits and how fast it comes up. A DHT of N peers on routed
// LANs (shapes.ts), deployed until every agent is ready and destroyed, beside plain parallel `docker run`
// of the same number of containers from the same image; and the memory each idle agent holds.
import { runDeployBench } from './deploy-bench.js';
import { dhtShape } from './shapes.js';

runDeployBench(
  {
    name: 'scale',
    labPrefix: 'bench-scale-n',
    shape: dhtShape,
    describe: 'N dht-node peers on ⌈N/25⌉ LANs joined by router r1 (N + 1 containers), joining the ring through n1, n2, n3',
    defaults: { sizes: [10, 50, 100, 200], rounds: 2 },
    memory: true,
  },
);
