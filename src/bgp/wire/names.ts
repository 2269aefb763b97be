import {
  AttributeType,
  CapabilityCode,
  CeaseSubcode,
  ErrorCode,
  FsmErrorSubcode,
  MessageHeaderErrorSubcode,
  OpenMessageErrorSubcode,
  RouteRefreshErrorSubcode,
  UpdateMessageErrorSubcode,
} from './constants.ts';

function invert(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  return new Map(Object.entries(table).map(([name, code]) => [code, name]));
}

const CODE_NAMES = invert(ErrorCode);
const SUBCODE_NAMES: ReadonlyMap<number, ReadonlyMap<number, string>> = new Map([
  [ErrorCode.MESSAGE_HEADER, invert(MessageHeaderErrorSubcode)],
  [ErrorCode.OPEN_MESSAGE, invert(OpenMessageErrorSubcode)],
  [ErrorCode.UPDATE_MESSAGE, invert(UpdateMessageErrorSubcode)],
  [ErrorCode.FINITE_STATE_MACHINE, invert(FsmErrorSubcode)],
  [ErrorCode.CEASE, invert(CeaseSubcode)],
  [ErrorCode.ROUTE_REFRESH_MESSAGE, invert(RouteRefreshErrorSubcode)],
]);
const ATTRIBUTE_NAMES = invert(AttributeType);
const CAPABILITY_NAMES = invert(CapabilityCode);

/** E.g. (6, 2) -> { code: 'CEASE', subcode: 'ADMINISTRATIVE_SHUTDOWN' }; unknown numbers print as such. */
export function notificationNames(
  code: number,
  subcode: number,
): { code: string; subcode: string } {
  const codeName = CODE_NAMES.get(code) ?? `UNKNOWN_${code}`;
  const subcodeName =
    SUBCODE_NAMES.get(code)?.get(subcode) ?? (subcode === 0 ? 'UNSPECIFIC' : `UNKNOWN_${subcode}`);
  return { code: codeName, subcode: subcodeName };
}

export function attributeTypeName(typeCode: number): string {
  return ATTRIBUTE_NAMES.get(typeCode) ?? `UNKNOWN_${typeCode}`;
}

export function capabilityName(code: number): string {
  return CAPABILITY_NAMES.get(code) ?? `UNKNOWN_${code}`;
}
