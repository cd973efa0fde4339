// Flow (c): files through the SDK: upload three, list them with auto-paging over pages of one,
// download one byte for byte, delete all, and list again.
import { toFile } from '@anthropic-ai/sdk';
import { client, report } from './common.js';

const anthropic = client();
const contents = ['alpha\n', 'beta\n', 'gamma\u00e9\n'];
const uploaded = [];
for (const [index, text] of contents.entries()) {
  const file = await toFile(Buffer.from(text, 'utf8'), `interop-${index}.txt`, { type: 'text/plain' });
  uploaded.push(await anthropic.beta.files.upload({ file }));
}
const ours = new Set(uploaded.map((f) => f.id));

// limit 1 forces the SDK to follow the cursor across pages; every file must come back once.
const listed: string[] = [];
let pages = 0;
for await (const page of (await anthropic.beta.files.list({ limit: 1 })).iterPages()) {
  pages++;
  for (const file of page.data) if (ours.has(file.id)) listed.push(file.id);
  if (pages > 1000) throw new Error('files.list never ended');
}

const metadata = await anthropic.beta.files.retrieveMetadata(uploaded[2]!.id);
const download = await anthropic.beta.files.download(uploaded[2]!.id);
const downloaded = Buffer.from(await download.arrayBuffer()).toString('utf8');

const deleted = [];
for (const file of uploaded) deleted.push((await anthropic.beta.files.delete(file.id)).type);
const remaining: string[] = [];
for await (const file of anthropic.beta.files.list({ limit: 100 })) if (ours.has(file.id)) remaining.push(file.id);

let afterDelete = 0;
try {
  await anthropic.beta.files.retrieveMetadata(uploaded[0]!.id);
} catch (e) {
  afterDelete = (e as { status?: number }).status ?? -1;
}

report({
  uploaded: uploaded.map((f) => ({ id: f.id, filename: f.filename, size_bytes: f.size_bytes, mime_type: f.mime_type })),
  listed,
  pages,
  metadata: { filename: metadata.filename, size_bytes: metadata.size_bytes },
  downloaded,
  deleted,
  remaining,
  status_after_delete: afterDelete,
});
