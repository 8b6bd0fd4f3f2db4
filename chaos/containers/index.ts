export { ContainersDriver } from './driver.ts';
export { dockerClient, engineProblem } from './engine.ts';
export { ensureImage, partnerHubImageSpec, toxiproxyImageSpec, type BuiltImage, type ImageSpec } from './images.ts';
export { LABEL_OWNER, LABEL_REPLICA, LABEL_ROLE, LABEL_RUN, LABEL_SERVICE, LABEL_ZONE, selectContainers } from './labels.ts';
export { sweepOrphanContainers, type ContainerSweep } from './sweep.ts';
export { startContainerTopology, type ContainerReplica, type ContainerTopology, type ContainerTopologyOptions } from './topology.ts';
