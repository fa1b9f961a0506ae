import { platformToString } from '../oci/platform.js';
import type { ConfigSpec, ReleaseFile } from './file-types.js';
import type { GitFacts } from './git.js';
import { publicationOrder, type ReleaseImage, releaseImages } from './images.js';
import { imageMetadata, ociMetadata, releaseCreated } from './metadata.js';
import type {
  PlannedBuild,
  PlannedDestination,
  PlannedImage,
  ReleasePlan,
} from './plan-types.js';
import { checkTagConflicts, imageTags, type TagValues } from './tags.js';
import type { ReleaseVersion } from './version.js';

/** The inputs of a plan besides the file; the plan is a pure function of them. */
export interface PlanInputs {
  version: ReleaseVersion;
  /** HEAD's commit; undefined outside git (keys that need it are omitted). */
  git?: GitFacts;
  /** `SOURCE_DATE_EPOCH` as found in the environment. */
  sourceDateEpoch?: string;
  /** Only when the user asked for the current time as `created`. */
  now?: Date;
}

const NO_GIT_NOTE = 'no git commit: revision and sha tags are omitted';

/**
 * Computes the whole release before any write: images (base and variants)
 * by platform with their build inputs, labels, annotations and tags, and
 * for each destination the ordered tag writes. Pure given its inputs.
 */
export function planRelease(file: ReleaseFile, inputs: PlanInputs): ReleasePlan {
  const { version, git } = inputs;
  const values: TagValues = git === undefined ? { version } : { version, sha: git.sha };
  const images = releaseImages(file);
  const tagsByImage = new Map(
    images.map((image) => [image.name, imageTags(file.tags, file.latest, values, image)]),
  );
  checkTagConflicts(
    images.map((image) => ({
      image: image.name,
      at: image.at,
      tags: tagsByImage.get(image.name)!,
    })),
  );

  const time = releaseCreated(inputs.sourceDateEpoch, git, inputs.now);
  const order = publicationOrder(file.order, images);
  const byName = new Map(images.map((image) => [image.name, image]));
  const planned = order.map((name) =>
    planImage(file, byName.get(name)!, tagsByImage.get(name)!, time.created, git),
  );

  return {
    file: file.name,
    version: {
      input: version.input,
      normalized: version.normalized,
      scheme: version.scheme,
      prerelease: version.prerelease,
    },
    ...(time.created === undefined ? {} : { created: time.created }),
    ...(git === undefined ? {} : { revision: git.sha }),
    notes: [
      ...(time.note === undefined ? [] : [time.note]),
      ...(git ? [] : [NO_GIT_NOTE]),
    ],
    platforms: file.platforms.map(platformToString),
    attestations: { ...file.attestations },
    order,
    images: planned,
    destinations: file.destinations.map((destination) =>
      planDestination(destination.name, destination.kind, planned),
    ),
  };
}

function planImage(
  file: ReleaseFile,
  image: ReleaseImage,
  tags: string[],
  created: string | undefined,
  git: GitFacts | undefined,
): PlannedImage {
  const config: ConfigSpec = image.variant?.config ?? file.base.config;
  const oci = ociMetadata(file, tags[0], created, git);
  const { labels, annotations } = imageMetadata(file, oci, config);
  const common = { name: image.name, kind: image.kind, at: image.at };
  const builds = file.platforms.map(platformToString).map((platform): PlannedBuild => {
    if (image.kind === 'variant') return { platform };
    const files = file.base.files.map((entry) => ({
      source: entry.from[platform]!,
      target: entry.to,
    }));
    return { platform, files };
  });

  if (image.variant === undefined) {
    return { ...common, builds, config, labels, annotations, tags };
  }
  const copy = image.variant.copy ?? 'all';
  return {
    ...common,
    from: image.variant.from,
    copy,
    builds,
    config,
    labels,
    annotations,
    tags,
  };
}

/** Tags are written image by image in publication order, each image's in its order. */
function planDestination(
  name: string,
  kind: 'registry' | 'layout',
  images: PlannedImage[],
): PlannedDestination {
  const writes = images.flatMap((image) =>
    image.tags.map((tag) => ({ image: image.name, tag })),
  );
  return {
    name,
    kind,
    writes: writes.map((write, index) => ({ step: index + 1, ...write })),
  };
}
