// `npm run bench:deploy`: a routed lab (one router on every LAN, hosts spread over the LANs)
// deployed and destroyed by emunet, beside plain parallel `docker run` of the same containers.
import { runDeployBench } from './deploy-bench.js';
import { routedShape } from './shapes.js';

runDeployBench(
  {
    name: 'deploy',
    labPrefix: 'bench-n',
    shape: routedShape,
    describe: 'router r1 on every LAN (⌈N/10⌉ LANs), N-1 hosts round-robin',
    defaults: { sizes: [10, 25, 50], rounds: 3 },
    memory: false,
  },
);
