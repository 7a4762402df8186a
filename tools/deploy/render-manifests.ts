import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderBase, renderKafkaTopics } from './manifests';

/** `npm run k8s:render`: writes k8s/base and k8s/kafka-topics from the code. */
for (const [folder, files] of [
  ['base', renderBase()],
  ['kafka-topics', renderKafkaTopics()],
] as const) {
  const directory = path.resolve(__dirname, '../../../k8s', folder);
  mkdirSync(directory, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(directory, file), content);
  process.stdout.write(`k8s: wrote ${Object.keys(files).length} files to k8s/${folder}\n`);
}
