import { Type, type Static } from 'typebox';
import { stringEnum } from '../../../api/routes/enum-schema.js';
import { MAX_TARGETS, MONITOR_TYPES } from '../../model.js';

const Instant = Type.String({ format: 'date-time' });
const Entry = Type.String({ minLength: 1, maxLength: 320 });

export const CreateListBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  entry_type: Type.Optional(stringEnum(MONITOR_TYPES, { default: 'email', description: 'What the list holds (a monitor of this type may read it)' })),
  entries: Type.Optional(Type.Array(Entry, { maxItems: MAX_TARGETS, description: 'Checked and normalised like a monitor\'s targets' })),
}, { additionalProperties: false });
export type CreateListBody = Static<typeof CreateListBody>;

export const UpdateListBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
export const EntriesBody = Type.Object({ entries: Type.Array(Entry, { minItems: 1, maxItems: MAX_TARGETS }) }, { additionalProperties: false });

export const ListResponse = Type.Object({
  id: Type.String({ format: 'uuid' }), name: Type.String(), entry_type: stringEnum(MONITOR_TYPES), entry_count: Type.Integer(),
  created_at: Instant, updated_at: Instant,
});
export const ListList = Type.Object({ items: Type.Array(ListResponse), total_count: Type.Integer() });
export const EntryList = Type.Object({ items: Type.Array(Type.Object({ value: Type.String(), created_at: Instant })), total_count: Type.Integer() });
export const ListIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const EntryParams = Type.Object({ id: Type.String({ maxLength: 64 }), value: Type.String({ minLength: 1, maxLength: 320 }) });
