/**
 * Phone enrichment, offline: libphonenumber with full metadata (libphonenumber-js/max) for
 * validity, type, country, formats; the carrier, region and time zones where the metadata
 * has them (libphonenumber-js ships no carrier or geocoding data: docs/encrata.md).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { RecordBuilder, type Enricher } from './enricher.js';

const TYPE_NAMES: Record<string, string> = {
  MOBILE: 'mobile', FIXED_LINE: 'fixed_line', FIXED_LINE_OR_MOBILE: 'fixed_line_or_mobile', VOIP: 'voip', TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium_rate', SHARED_COST: 'shared_cost', PERSONAL_NUMBER: 'personal_number', PAGER: 'pager', UAN: 'uan', VOICEMAIL: 'voicemail',
};

export function createPhoneEnricher(): Enricher {
  return {
    type: 'phone',
    async enrich(target) {
      const out = new RecordBuilder();
      const phone = parsePhoneNumberFromString(target);
      const type = phone?.getType();
      out.set('valid', phone?.isValid() ?? false);
      out.set('possible', phone?.isPossible() ?? false);
      out.set('type', type ? TYPE_NAMES[type] ?? type.toLowerCase() : null);
      out.set('country', phone?.country ?? null);
      out.set('country_calling_code', phone ? `+${phone.countryCallingCode}` : null);
      out.set('e164', phone?.number ?? target);
      out.set('national', phone?.formatNational() ?? null);
      out.set('international', phone?.formatInternational() ?? null);
      out.set('carrier', null);
      out.set('region', null);
      out.set('time_zones', []);
      return out.done();
    },
  };
}
