// Disk full: a size-limited filesystem for the SUT's data directory, and the filler that fills it.
export { prepareLimitedFs, releaseLimitedFs, listLimitedFs, limitedFsSupport, isOwnMount, LimitedFsUnsupportedError, TMPFS_SOURCE, IMAGE_SUFFIX, type LimitedFs, type LimitedFsMethod, type PrepareLimitedFsOptions, type ReleaseResult } from './limited-fs.ts';
export { fillDisk, revertFill, sweepFillers, probeWrite, fsUsage, bytesToReach, checkFillPercent, fillerPath, readUsage, FILLER_PREFIX, type DiskFill, type FillDiskOptions, type FillRevert, type FsUsage, type EnospcProbe } from './fill.ts';
export { parseMountInfo, mountAt, unescapeMountPath, readMounts, type MountEntry } from './mounts.ts';
export { DiskDriver, type DiskDriverOptions } from './driver.ts';
